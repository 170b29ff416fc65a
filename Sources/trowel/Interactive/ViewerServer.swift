import Foundation
import TrowelEngine
import TrowelServe
import TrowelUI

/// `:serve` in the viewer: a `ProjectServer` of the open project, started in the background.
final class ViewerServer: ProjectServing {
    let project: Project
    private var server: ProjectServer?

    init(project: Project) { self.project = project }

    func start(port: Int) throws -> ServeLink {
        let server = try ProjectServer(project: project.url, address: .loopback, port: port)
        let announcement = try server.start(project: project)
        self.server = server
        return ServeLink(url: announcement.url, tunnel: announcement.tunnel, viewer: announcement.viewer, port: announcement.port)
    }

    func stop() {
        server?.stop()
        server = nil
    }
}
