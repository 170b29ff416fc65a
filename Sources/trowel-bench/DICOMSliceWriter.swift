import Foundation

/// Writes one uncompressed CT slice as a DICOM file (explicit VR little endian, 16-bit samples
/// with RescaleIntercept), so the DICOM import benchmark has a scanner-like series to read.
struct DICOMSliceWriter {
    var seriesUID: String
    var rows: Int
    var columns: Int
    /// PixelSpacing in mm: between rows, between columns.
    var pixelSpacing: (Double, Double)
    var sliceSpacing: Double
    var bitsStored = 12
    var intercept = -1024.0

    /// Writes slice `index` (InstanceNumber index + 1, placed index × sliceSpacing along z) to `url`.
    func write(_ samples: [UInt16], index: Int, to url: URL) throws {
        precondition(samples.count == rows * columns, "DICOMSliceWriter: \(samples.count) samples for \(rows)×\(columns)")
        let instanceUID = "\(seriesUID).\(index + 1)"
        var body = Data()
        body.element(0x0008, 0x0016, "UI", uid: "1.2.840.10008.5.1.4.1.1.2")
        body.element(0x0008, 0x0018, "UI", uid: instanceUID)
        body.element(0x0008, 0x0060, "CS", text: "CT")
        body.element(0x0008, 0x103E, "LO", text: "trowel-bench series")
        body.element(0x0020, 0x000D, "UI", uid: seriesUID + ".0")
        body.element(0x0020, 0x000E, "UI", uid: seriesUID)
        body.element(0x0020, 0x0011, "IS", text: "1")
        body.element(0x0020, 0x0013, "IS", text: "\(index + 1)")
        body.element(0x0020, 0x0032, "DS", text: "0\\0\\\(Double(index) * sliceSpacing)")
        body.element(0x0020, 0x0037, "DS", text: "1\\0\\0\\0\\1\\0")
        body.element(0x0028, 0x0002, "US", short: 1)
        body.element(0x0028, 0x0004, "CS", text: "MONOCHROME2")
        body.element(0x0028, 0x0010, "US", short: UInt16(rows))
        body.element(0x0028, 0x0011, "US", short: UInt16(columns))
        body.element(0x0028, 0x0030, "DS", text: "\(pixelSpacing.0)\\\(pixelSpacing.1)")
        body.element(0x0028, 0x0100, "US", short: 16)
        body.element(0x0028, 0x0101, "US", short: UInt16(bitsStored))
        body.element(0x0028, 0x0102, "US", short: UInt16(bitsStored - 1))
        body.element(0x0028, 0x0103, "US", short: 0)
        body.element(0x0028, 0x1052, "DS", text: "\(intercept)")
        body.element(0x0028, 0x1053, "DS", text: "1")
        samples.withUnsafeBytes { body.element(0x7FE0, 0x0010, "OW", bytes: Data($0)) }

        var meta = Data()
        meta.element(0x0002, 0x0001, "OB", bytes: Data([0, 1]))
        meta.element(0x0002, 0x0002, "UI", uid: "1.2.840.10008.5.1.4.1.1.2")
        meta.element(0x0002, 0x0003, "UI", uid: instanceUID)
        meta.element(0x0002, 0x0010, "UI", uid: "1.2.840.10008.1.2.1")
        meta.element(0x0002, 0x0012, "UI", uid: "1.2.826.0.1.3680043.10.1338.0")
        var file = Data(count: 128)
        file.append(contentsOf: Array("DICM".utf8))
        file.element(0x0002, 0x0000, "UL", long: UInt32(meta.count))
        file.append(meta)
        file.append(body)
        try file.write(to: url)
    }
}

private extension Data {
    mutating func little<T: FixedWidthInteger>(_ v: T) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }

    /// One explicit-VR element; OB/OW values have the long (4-byte) length form. Values are padded
    /// to even length (UIDs with NUL, text with a space).
    mutating func element(_ group: UInt16, _ element: UInt16, _ vr: String, bytes value: Data) {
        little(group)
        little(element)
        append(contentsOf: Array(vr.utf8))
        if vr == "OB" || vr == "OW" {
            little(UInt16(0))
            little(UInt32(value.count))
        } else {
            little(UInt16(value.count))
        }
        append(value)
    }

    mutating func element(_ group: UInt16, _ element: UInt16, _ vr: String, text: String) {
        var value = Data(text.utf8)
        if value.count % 2 == 1 { value.append(0x20) }
        self.element(group, element, vr, bytes: value)
    }

    mutating func element(_ group: UInt16, _ element: UInt16, _ vr: String, uid: String) {
        var value = Data(uid.utf8)
        if value.count % 2 == 1 { value.append(0) }
        self.element(group, element, vr, bytes: value)
    }

    mutating func element(_ group: UInt16, _ element: UInt16, _ vr: String, short: UInt16) {
        var value = Data()
        value.little(short)
        self.element(group, element, vr, bytes: value)
    }

    mutating func element(_ group: UInt16, _ element: UInt16, _ vr: String, long: UInt32) {
        var value = Data()
        value.little(long)
        self.element(group, element, vr, bytes: value)
    }
}
