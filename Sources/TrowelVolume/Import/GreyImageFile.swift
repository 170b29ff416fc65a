import Foundation

/// One 2D grey image read from a PNG or TIFF file (8/16-bit grey PNG; 8/16/32-bit integer or
/// float grey TIFF), for commands that take a single picture rather than a stack — such as a thin
/// section to find in a scan. Colour, palette and multi-page (3D) files are refused with one line
/// naming the file, because turning them into one grey plane would be a guess.
public enum GreyImageFile {
    /// The image as a block of one slice (1 × rows × columns), in the file's sample type.
    public static func read(_ url: URL) throws -> AnyBlock {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw ImportError.notFound(path: path) }
        guard !isFolder.boolValue else { throw ImportError.unsupported(file: path, page: nil, reason: "a folder, not one image file") }
        switch try ImageFormat.detect(fileAt: url) {
        case .png:
            let header = try PNGHeader(file: url)
            if header.channels.colour {
                throw ImportError.unsupported(file: path, page: nil,
                                              reason: "a colour image (\(header.colorType == 3 ? "palette" : "RGB")); save it as 8- or 16-bit grey")
            }
            return try PNGStack(files: [url]).readSlices(0..<1)
        case .tiff:
            let stack = try TIFFStack(files: [url])
            if stack.firstLayout.isColour {
                throw ImportError.unsupported(file: path, page: nil, reason: "a colour image (RGB); save it as 8- or 16-bit grey")
            }
            if stack.shape.z > 1 {
                throw ImportError.unsupported(file: path, page: nil,
                                              reason: "\(stack.shape.z) pages: a 3D stack, not one 2D image; save the one slice to match")
            }
            return try stack.readSlices(0..<1)
        case .jpeg2000:
            throw ImportError.unsupported(file: path, page: nil, reason: "JPEG 2000; give the image as a grey PNG or TIFF")
        case nil:
            throw ImportError.notAnImage(file: path)
        }
    }
}
