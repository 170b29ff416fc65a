import ArgumentParser
import Foundation
import TrowelEngine
import TrowelServe

/// `trowel serve P`: the project's Zarr arrays over HTTP, read-only, for neuroglancer and zarr-python.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the scan, labels and segmentations read-only over HTTP for neuroglancer and zarr-python.",
        discussion: """
            Serves PROJECT/volume.zarr, labels.zarr and every finished segmentations/<id>.zarr at \
            http://127.0.0.1:PORT/ (the same paths as in the folder; nothing else: not the database, \
            not the models), with CORS and byte ranges. Prints the ssh -L command to run on your own \
            computer and a neuroglancer link showing the scan, the labels and the newest segmentation; \
            http://127.0.0.1:PORT/neuroglancer redirects to it. Listens on this machine only unless \
            --bind names another address. Ctrl-C stops it.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "The port (0 picks a free one).")
    var port = 9000

    @Option(help: "The address to listen on; other than 127.0.0.1 or ::1 anyone who reaches it can read the data.")
    var bind = "127.0.0.1"

    @Flag(help: "Print one JSON object (where, the tunnel, the neuroglancer link and state) instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: project)
            let opened = try Project.open(at: url)
            let server = try ProjectServer(project: url, address: try BindAddress(bind), port: port)
            Interrupts.install()
            let announcement = try server.start(project: opened)
            if let warning = announcement.warning { FileHandle.standardError.write(Data("trowel: warning: \(warning)\n".utf8)) }
            // Written unbuffered: a script reading the pipe gets the address while the server runs.
            func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
            if json {
                say(try JSONOutput.text(announcement))
            } else {
                say(announcement.text.split(separator: "\n").filter { !$0.hasPrefix("warning:") }.joined(separator: "\n"))
                say("Ctrl-C stops.")
            }
            while !Interrupts.isInterrupted { usleep(50_000) }
            server.stop()
            if !json { say("stopped serving \(announcement.url)") }
        }
    }
}
