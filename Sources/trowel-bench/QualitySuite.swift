import Foundation
import TrowelVolume

/// The hard-fossil quality suite: one generated scan with exact truth per failure mode of the
/// reference random forest (see `HardFossilScan`), each written as a benchmark folder
/// (`meta.json`, `scan.raw`, `labels.u8`, `truth.u8`; format in `QualityCase`).
enum QualitySuite {
    /// Every mode, in suite order, with its one-line description.
    static let modes: [(mode: HardFossilScan.Mode, description: String)] = HardFossilScan.Mode.allCases.map { ($0, $0.summary) }

    /// Writes every mode into `root/<mode name>/` and returns the folders, in suite order. A folder
    /// that already holds the same scan (mode and seed) is kept: the largest takes half a minute.
    static func writeAll(to root: URL, seed: UInt64, log: (String) -> Void = { _ in }) throws -> [URL] {
        try modes.map { entry in
            let folder = root.appendingPathComponent(entry.mode.rawValue, isDirectory: true)
            let scan = try HardFossilScan(mode: entry.mode, seed: seed)
            if !QualityCaseFolder.exists(at: folder, source: scan.qualityCase.source) {
                log("generating \(entry.mode.rawValue) into \(folder.path)…")
                try scan.writeQualityCase(to: folder)
            }
            return folder
        }
    }
}
