import Foundation

/// What `trowel serve` and `:serve` tell the user once the server listens: where, the `ssh -L`
/// tunnel to run on their own computer, and the neuroglancer link. Also the `--json` report.
public struct ServeAnnouncement: Encodable, Sendable, Equatable {
    public var project: String
    public var url: String
    public var bind: String
    public var port: Int
    /// `ssh -L PORT:127.0.0.1:PORT user@host`: what the user runs on their own computer.
    public var tunnel: String
    public var neuroglancerURL: String
    /// A short address that redirects to `neuroglancerURL` (through the tunnel).
    public var viewer: String
    /// The neuroglancer state as JSON text (its key order matters to neuroglancer).
    public var neuroglancerState: String
    /// The served folders, as URL paths.
    public var arrays: [String]
    /// Set when the server listens on an address other machines can reach.
    public var warning: String?

    public init(server: ProjectServer, port: Int, state: NeuroglancerState, user: String? = nil, host: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let who = user ?? environment["USER"] ?? environment["LOGNAME"] ?? "user"
        let machine = host ?? ProcessInfo.processInfo.hostName
        project = server.tree.root.path
        bind = server.address.host
        self.port = port
        url = server.baseURL(port: port)
        tunnel = "ssh -L \(port):127.0.0.1:\(port) \(who)@\(machine)"
        var linkState = state
        linkState.baseURL = "http://127.0.0.1:\(port)"
        neuroglancerURL = linkState.link()
        viewer = "http://127.0.0.1:\(port)\(ViewerRedirect.path)"
        neuroglancerState = linkState.json.text
        arrays = ["/volume.zarr/"] + (server.tree.hasLabels ? ["/labels.zarr/"] : [])
            + server.tree.segmentations().map { "/segmentations/\($0).zarr/" }
        warning = server.address.isLoopback ? nil
            : "listening on \(server.address.host), not only this machine: anyone who can reach port \(port) can read the scan, labels and segmentations"
    }

    /// The lines printed on the terminal.
    public var text: String {
        var lines: [String] = []
        if let warning { lines.append("warning: \(warning)") }
        lines.append("serving \(project) read-only at \(url): \(arrays.joined(separator: " "))")
        lines.append("on your own computer, open a tunnel:  \(tunnel)")
        lines.append("then open \(viewer) in a browser: it redirects to neuroglancer with the scan, labels and newest segmentation, i.e.")
        lines.append(neuroglancerURL)
        return lines.joined(separator: "\n")
    }
}
