import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write an sbatch array script that segments the project on a SLURM cluster.",
        discussion: """
            Array task k of --shards N runs 'trowel segment PROJECT --shard k/N' with --cpus workers and \
            a --memory a little under --mem; the last task to finish builds the pyramid. Logs go to \
            PROJECT/logs/segment-<job>_<task>.log. The project and the trowel executable must be on a \
            filesystem every node sees. Submit with the sbatch command printed, or give --submit: trowel \
            checks that the partition's nodes offer --cpus and --mem (else the job would queue forever), \
            runs sbatch, records the job id, and 'trowel jobs' then shows SLURM's state of each task.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Array tasks, one shard of the blocks each.")
    var shards: Int

    @Option(help: "Wall time per task (SLURM format).")
    var time = "02:00:00"

    @Option(help: "Memory per task, e.g. 8G.")
    var mem = "8G"

    @Option(help: "SLURM partition (default: the cluster's default).")
    var partition: String?

    @Option(help: "CPUs per task, also the segment's --workers.")
    var cpus = 4

    @Option(help: "Model id (default: the newest model).")
    var model: String?

    @Option(name: .shortAndLong, help: "Script file to write (default: PROJECT/segment.sbatch).")
    var output: String?

    @Option(help: "The trowel executable the nodes run (default: this one).")
    var trowel: String?

    @Option(help: "Compute block side in voxels for the segment (default: trowel segment's).")
    var block: Int?

    @Flag(help: "Submit the script with sbatch and record the job id ('trowel jobs' shows its SLURM state).")
    var submit = false

    func run() throws {
        try reportingErrors {
            let memory = try ByteCount(parsing: mem)
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "segmenting on SLURM")
            let library = ModelLibrary(project: project)
            guard let id = try model ?? library.latestID() else { throw LearningError.noModels }
            _ = try library.load(id)
            let projectPath = project.url.standardizedFileURL.path
            var script = SlurmScript(trowel: try trowel.map { URL(fileURLWithPath: $0).path } ?? Self.runningExecutable(),
                                     project: projectPath, model: id, shards: shards)
            script.time = time
            script.memory = memory
            script.cpus = cpus
            script.partition = partition
            script.blockSide = block
            try script.validate()
            let cluster = SlurmCluster()
            if submit {
                try cluster.partition(partition).check(cpus: cpus, memory: memory)
            }
            let file = output.map { URL(fileURLWithPath: $0) } ?? project.url.appendingPathComponent("segment.sbatch")
            do {
                try FileManager.default.createDirectory(atPath: script.logFolder, withIntermediateDirectories: true)
                try Data(script.text.utf8).write(to: file, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
            } catch {
                throw SegmentationError.unwritable(file.path, error.localizedDescription)
            }
            print("wrote \(file.path): \(shards) task(s) of \(cpus) CPU(s), \(mem), \(time), model \(id)")
            guard submit else {
                print("sbatch \(file.path)")
                return
            }
            let job = try cluster.submit(file, from: project.url)
            _ = try JobLog(project: project).recordSubmission(slurmJob: job, target: id, tasks: shards, script: file.path)
            print("submitted SLURM job \(job): trowel jobs \(projectPath) shows its state")
        }
    }

    /// The absolute path of this executable, symlinks resolved.
    static func runningExecutable() throws -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        guard let url = Bundle.main.executableURL else {
            throw ValidationError("cannot tell where this trowel executable is: give --trowel PATH")
        }
        return url.resolvingSymlinksInPath().path
    }
}
