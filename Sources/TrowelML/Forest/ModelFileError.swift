/// Why a saved model could not be read. `description` is one line that names the file and says
/// what is wrong, e.g. "model.forest: truncated file (expected 81234 bytes, found 4096)".
public struct ModelFileError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The file does not start with Trowel's forest magic.
        case notAModel
        /// Written by another format version of Trowel.
        case unsupportedVersion(found: UInt32, supported: UInt32)
        /// Shorter (or longer) than its header says.
        case truncated(expected: Int, found: Int)
        /// The bytes changed after writing.
        case checksumMismatch
        /// Consistent length and checksum, but the content does not describe a valid forest.
        case malformed(String)
        /// The file could not be read at all.
        case unreadable(String)
    }

    /// The file name (or "model" for bytes from elsewhere).
    public var file: String
    public var reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .notAModel:
            return "\(file): not a Trowel forest model (bad magic); was it written by `trowel train`?"
        case .unsupportedVersion(let found, let supported):
            return "\(file): model format version \(found), this Trowel reads version \(supported); retrain or use a matching Trowel"
        case .truncated(let expected, let found):
            return "\(file): truncated file (expected \(expected) bytes, found \(found))"
        case .checksumMismatch:
            return "\(file): checksum mismatch, the file is corrupt; retrain or restore it"
        case .malformed(let what):
            return "\(file): malformed model (\(what))"
        case .unreadable(let why):
            return "\(file): cannot read model (\(why))"
        }
    }
}
