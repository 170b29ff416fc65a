import Foundation
import FuzzSupport
import TrowelVolume

// A DICOM file as `trowel convert ct-export/` meets it: the detection (preamble, DICM), the header
// through GDCM and Trowel's C interface (DICOMHeader), the series geometry (DICOMVolume: sizes,
// positions, rescale), then the pixel data decoded (every transfer syntax GDCM has). Seeds are the
// fixtures: uncompressed, RLE, JPEG lossless, JPEG-LS, JPEG 2000, multi-frame (Scripts/fuzz).

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = Scratch.file("IM1", fuzzData(pointer, size))
    _ = DICOMSeriesSet.isDICOM(fileAt: url.path)
    guard let header = try? DICOMHeader(reading: url) else { return 0 }
    _ = header.transferSyntaxName
    let series = DICOMSeries(uid: header.seriesUID, headers: [header])
    _ = series.transferSyntaxes
    _ = series.voxelCount
    if let volume = try? DICOMVolume(series: series) { exercise(volume) }
    return 0
}

@_cdecl("fuzz_dicom_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
