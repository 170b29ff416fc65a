import Foundation

extension SegmentationJob {
    /// Runs the job and records it in the project's job log: started, progress after each block,
    /// and how it ended (finished, cancelled, or failed with its error).
    public func run(loggingTo log: JobLog, progress: @escaping @Sendable (SegmentationProgress) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> Result {
        let grid = try self.grid()
        let total = (0..<grid.count).filter { options.shard.owns($0) }.count
        let id = try log.start(kind: "segment", target: store.id, shard: options.shard.count == 1 ? "all" : options.shard.description,
                               blocksTotal: total)
        do {
            let result = try run(progress: { p in
                try? log.update(id, blocksDone: p.blocksDone, voxels: p.voxelsComputed)
                progress(p)
            }, isCancelled: isCancelled)
            try log.finish(id, state: result.cancelled ? .cancelled : .finished,
                           blocksDone: result.blocksAlreadyDone + result.blocksComputed + result.blocksJoined, voxels: result.voxelsComputed)
            return result
        } catch {
            try? log.finish(id, state: .failed, blocksDone: store.doneCount(of: grid.count), voxels: 0, error: "\(error)")
            throw error
        }
    }
}
