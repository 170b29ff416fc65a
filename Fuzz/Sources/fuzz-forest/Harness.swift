import Foundation
import FuzzSupport
import TrowelML

// A `.forest` model file as `trowel segment`, the viewer and `trowel train --from` meet it, as given
// and with its checksum repaired (so the header JSON, the feature spec, the cascade's earlier stage
// and the tree links are reached); a forest that loads then predicts a few voxels, because the
// format promises that no file that loads can crash prediction.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        var configuration = ForestConfiguration()
        configuration.treeCount = 3
        configuration.maxDepth = 4
        var seeds: [(String, Data)] = []
        for classes in [2, 3] {
            let count = 60, features = 4
            let values = (0..<(count * features)).map { Float(($0 * 7919) % 101) / 100 }
            let labels = (0..<count).map { UInt8(1 + ($0 + Int(values[$0 * features] * 10)) % classes) }
            let samples = try TrainingSamples(featureCount: features, features: values, labels: labels)
            let rows = try RandomForest.train(onRows: samples, configuration: configuration)
            seeds.append(("rows-\(classes).forest", rows.serialized()))
            let image = try RandomForest.train(on: samples, spec: FeatureSpec(filters: [.intensity], sigmas: [1, 2, 4], includesRaw: true),
                                               configuration: configuration)
            seeds.append(("image-\(classes).forest", image.serialized()))
            if let weighted = try? image.deciding(with: (0..<classes).map { Float($0 + 1) }) {
                seeds.append(("weighted-\(classes).forest", weighted.serialized()))
            }
        }
        return seeds
    }
    return 0
}

func predict(_ forest: RandomForest, _ data: Data) {
    let f = forest.featureCount
    guard f > 0, f <= 4096 else { return }
    let count = 5
    var values = [Float](repeating: 0, count: count * f)
    for (i, b) in data.suffix(count * f).enumerated() { values[i] = Float(Int(b) - 64) / 16 }
    _ = forest.probabilities(forRows: values, count: count)
    _ = forest.featureNames
    _ = forest.halo
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = fuzzData(pointer, size)
    if let forest = try? RandomForest(data: data, name: "in.forest") { predict(forest, data) }
    if let repaired = repairingForestChecksum(data), let forest = try? RandomForest(data: repaired, name: "in.forest") {
        predict(forest, data)
    }
    return 0
}

@_cdecl("fuzz_forest_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
