import Foundation
import Testing
@testable import TrowelVolume

@Suite struct ZarrOMETests {
    @Test func multiscalesRoundTripAndKeepOtherAttributes() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let group = tmp("volume.zarr")
        try FileManager.default.createDirectory(at: group, withIntermediateDirectories: true)
        try Data(#"{"trowel": {"source": "scan.tif"}}"#.utf8).write(to: group.appendingPathComponent(".zattrs"))
        let ms = OMEMultiscales(name: "scan", voxelSize: [2.5, 1.25, 1.25], levels: 3)
        try ms.write(to: group)
        let back = try OMEMultiscales.read(from: group)
        #expect(back == ms)
        #expect(back.voxelSize == [2.5, 1.25, 1.25])
        #expect(back.datasets.map(\.path) == ["0", "1", "2"])
        #expect(back.datasets[2].scale == [10, 5, 5])
        let attrs = try #require(JSONValue(parsing: try Data(contentsOf: group.appendingPathComponent(".zattrs"))))
        #expect(attrs["trowel"]?["source"] == "scan.tif")
        let entry = try #require(attrs["multiscales"]?.arrayValue?.first)
        #expect(entry["version"] == "0.4")
        #expect(entry["type"] == "mean")
        #expect(entry["axes"] == [["name": "z", "type": "space", "unit": "micrometer"],
                                  ["name": "y", "type": "space", "unit": "micrometer"],
                                  ["name": "x", "type": "space", "unit": "micrometer"]])
        #expect(entry["datasets"]?.arrayValue?[1] == ["path": "1", "coordinateTransformations": [["type": "scale", "scale": [5, 2.5, 2.5]]]])
        let zgroup = try #require(JSONValue(parsing: try Data(contentsOf: group.appendingPathComponent(".zgroup"))))
        #expect(zgroup == ["zarr_format": 2])
    }

    @Test func missingMultiscalesIsAnError() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        try FileManager.default.createDirectory(at: tmp("g.zarr"), withIntermediateDirectories: true)
        let error = zarrError { _ = try OMEMultiscales.read(from: tmp("g.zarr")) }
        #expect(error?.description.contains("no OME-NGFF 'multiscales' attribute") == true)
    }

    @Test func openingTheGroupInsteadOfAnArraySaysSo() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        try OMEMultiscales(name: "scan", voxelSize: [1, 1, 1], levels: 1).write(to: tmp("g.zarr"))
        let error = zarrError { _ = try ZarrArray.open(at: tmp("g.zarr")) }
        #expect(error?.description.contains("this is a Zarr group, not an array") == true)
    }
}
