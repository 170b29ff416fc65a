import Foundation
import TrowelVolume

/// The hard-fossil quality suite: one generated scan with exact truth per failure mode of the
/// reference random forest (see `HardFossilScan`), each written as a benchmark folder
/// (`meta.json`, `scan.raw`, `labels.u8`, `truth.u8`; format in `QualityCase`).
enum QualitySuite {
    /// Every mode, in suite order, with its one-line description.
    static let modes: [(mode: HardFossilScan.Mode, description: String)] = HardFossilScan.Mode.allCases.map { ($0, $0.summary) }

    /// Writes the case of `mode` into `folder` (created if missing).
    static func write(mode: HardFossilScan.Mode, to folder: URL, seed: UInt64) throws {
        try HardFossilScan(mode: mode, seed: seed).writeQualityCase(to: folder)
    }

    /// Writes every mode into `root/<mode name>/` and returns the folders, in suite order.
    static func writeAll(to root: URL, seed: UInt64) throws -> [URL] {
        try modes.map { entry in
            let folder = root.appendingPathComponent(entry.mode.rawValue, isDirectory: true)
            try write(mode: entry.mode, to: folder, seed: seed)
            return folder
        }
    }
}
