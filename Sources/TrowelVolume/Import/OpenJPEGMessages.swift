import COpenJPEG
import Foundation

/// Collects the messages openjpeg reports for one decode instead of letting it print them.
///
/// openjpeg writes errors, warnings and information to stderr by default, which would break the
/// TUI and the one-line error rule. The handlers installed here keep errors (the first one
/// becomes the reason in `ImportError.unreadable`) and drop warnings and information.
/// One instance belongs to one codec on one thread; it must outlive the codec's use.
final class OpenJPEGMessages {
    private(set) var errors: [String] = []

    /// openjpeg's first error as one trimmed line, if it reported any: the cause, where later
    /// ones only wrap it ("Failed to decode the codestream in the JP2 file").
    var cause: String? { errors.first }

    /// Routes `codec`'s error, warning and information messages to this log.
    func install(on codec: UnsafeMutablePointer<opj_codec_t?>) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = opj_set_error_handler(codec, { message, client in
            guard let message, let client else { return }
            Unmanaged<OpenJPEGMessages>.fromOpaque(client).takeUnretainedValue().record(String(cString: message))
        }, me)
        _ = opj_set_warning_handler(codec, { _, _ in }, me)
        _ = opj_set_info_handler(codec, { _, _ in }, me)
    }

    /// Keeps `message` as one line (openjpeg's end in a newline and may span several).
    func record(_ message: String) {
        let line = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        if !line.isEmpty { errors.append(line) }
    }
}
