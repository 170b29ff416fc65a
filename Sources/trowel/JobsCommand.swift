import ArgumentParser
import Foundation
import TrowelEngine

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the project's background jobs: state, progress, timings and errors.",
        discussion: """
            Every segmentation is recorded, whether it ran in the viewer, from trowel segment or as a \
            cluster shard. 'interrupted' means the job's process on this machine ended without recording \
            how (kill -9, out of memory, a crash): run the same trowel segment command to continue it. \
            Jobs of other machines (cluster shards) show the state they last recorded.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Flag(help: "Print one JSON object per job, one per line.")
    var json = false

    func run() throws {
        try reportingErrors {
            let jobs = try JobLog(project: try Project.open(at: URL(fileURLWithPath: project))).all()
            if jobs.isEmpty && !json { print("no jobs yet: trowel segment (or S in the viewer) starts one") }
            let iso = ISO8601DateFormatter()
            for j in jobs {
                if json {
                    var object: [String: Any] = [
                        "id": j.id, "kind": j.kind, "target": j.target, "shard": j.shard, "state": j.state.rawValue,
                        "blocks_done": j.blocksDone, "blocks_total": j.blocksTotal, "voxels": j.voxels,
                        "started_at": iso.string(from: j.startedAt), "seconds": j.seconds, "host": j.host, "pid": j.pid,
                    ]
                    object["error"] = j.error ?? NSNull()
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(String(format: "%3d  %@ %@  shard %@  %@  %d/%d blocks  %.1f s  %@ pid %d%@", j.id, j.kind, j.target, j.shard,
                                 j.state.rawValue, j.blocksDone, j.blocksTotal, j.seconds, j.host, j.pid,
                                 j.error.map { "  error: \($0)" } ?? ""))
                }
            }
        }
    }
}
