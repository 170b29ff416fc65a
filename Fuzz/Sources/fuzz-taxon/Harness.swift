import Foundation
import FuzzSupport
import TrowelEngine
import TrowelML

// A taxon model file as `trowel identify predict --model M` and the viewer's `i` meet it, as given
// and with its trailing checksum repaired (so the JSON header, the descriptor spec and the embedded
// forest are reached); a model that loads predicts one descriptor row.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        let descriptor = SliceDescriptor()
        let encoder = JSONEncoder()
        let descriptorJSON = String(decoding: try encoder.encode(descriptor), as: UTF8.self)
        let headerJSON = """
            {"version": 2, "descriptor": \(descriptorJSON), "axes": ["z"], "taxa": ["globigerina", "nodosaria"],
             "trainSpecimens": ["a", "b"], "heldOutSpecimens": ["c"], "seed": 7, "testFraction": 0.3,
             "createdAt": "2026-01-01T00:00:00Z"}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let header = try decoder.decode(TaxonModel.Header.self, from: Data(headerJSON.utf8))
        let f = descriptor.count, count = 40
        let values = (0..<(count * f)).map { Float(($0 * 7919) % 101) / 100 }
        let labels = (0..<count).map { UInt8(1 + ($0 + Int(values[$0 * f] * 10)) % 2) }
        var configuration = ForestConfiguration()
        configuration.treeCount = 2
        configuration.maxDepth = 3
        let forest = try RandomForest.train(onRows: try TrainingSamples(featureCount: f, features: values, labels: labels),
                                            configuration: configuration)
        return [("model.taxa", try TaxonModel(header: header, forest: forest).serialized())]
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = fuzzData(pointer, size)
    for bytes in [data, repairingTaxonChecksum(data)].compactMap({ $0 }) {
        let url = Scratch.file("in.taxa", bytes)
        guard let model = try? TaxonModel(contentsOf: url) else { continue }
        let f = model.forest.featureCount
        if f > 0, f <= 4096 { _ = model.forest.probabilities(forRows: [Float](repeating: 0.5, count: f), count: 1) }
    }
    return 0
}

@_cdecl("fuzz_taxon_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
