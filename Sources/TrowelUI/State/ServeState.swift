/// Where a running `:serve` server can be reached, as the screen shows it.
public struct ServeLink: Equatable, Sendable {
    /// The data's base URL, e.g. `http://127.0.0.1:9000`.
    public var url: String
    /// The `ssh -L` command the user runs on their own computer.
    public var tunnel: String
    /// A short address (on the server) that redirects the browser to the neuroglancer view.
    public var viewer: String
    public var port: Int

    public init(url: String, tunnel: String, viewer: String, port: Int) {
        self.url = url
        self.tunnel = tunnel
        self.viewer = viewer
        self.port = port
    }
}

/// What `:serve` has done: nothing yet, serving (where), or why it could not. Its own state and
/// update function, apart from `App.update`; the server itself runs in the driver.
public struct ServeState: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        case off
        case starting(port: Int)
        case serving(ServeLink)
        case failed(String)
    }

    /// What happens to it: the user's command, and the driver's answers.
    public enum Event: Sendable, Equatable {
        /// `:serve [PORT]`.
        case start(port: Int)
        /// `:serve off`.
        case stop
        case started(ServeLink)
        case stopped
        case failed(String)
    }

    /// The port `:serve` uses without one.
    public static let defaultPort = 9000

    public private(set) var status: Status = .off

    public init() {}

    public var link: ServeLink? {
        if case .serving(let link) = status { return link }
        return nil
    }

    /// Applies `event`; answers the effects to perform and the status line's text (and whether it is an error).
    public mutating func update(_ event: Event) -> (effects: [Effect], message: String?, isError: Bool) {
        switch event {
        case .start(let port):
            if let link {
                return ([], link.port == port ? Self.announce(link) : "already serving on port \(link.port): :serve off first", false)
            }
            if case .starting = status { return ([], "starting the server…", false) }
            status = .starting(port: port)
            return ([.serve(port: port)], "starting the server on port \(port)…", false)
        case .stop:
            guard link != nil else { return ([], "not serving", false) }
            return ([.stopServing], nil, false)
        case .started(let link):
            status = .serving(link)
            return ([], Self.announce(link), false)
        case .stopped:
            status = .off
            return ([], "stopped serving", false)
        case .failed(let why):
            status = .failed(why)
            return ([], "serve: \(why)", true)
        }
    }

    /// The status line once it serves: the tunnel to open and the address to browse to.
    static func announce(_ link: ServeLink) -> String {
        "serving \(link.url) · on your computer: \(link.tunnel) · then open \(link.viewer)"
    }
}
