import CTIFF
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One open libtiff file whose error and warning messages are captured instead of printed.
///
/// libtiff's default handlers write to stderr, which would corrupt the terminal UI. Each handle
/// opens with `TIFFOpenExt` and per-file handlers, so concurrent reads never share state.
final class TIFFHandle {
    let path: String
    let tiff: OpaquePointer
    private let messages: TIFFMessages

    /// Why a file could not be opened, in libtiff's words.
    struct OpenFailure: Error {
        var reason: String
    }

    /// Opens `path` for reading; throws `ImportError.unreadable` with libtiff's message.
    static func reading(_ path: String) throws -> TIFFHandle {
        do {
            return try TIFFHandle(path: path, mode: "r")
        } catch {
            throw ImportError.unreadable(file: path, page: nil, reason: error.reason)
        }
    }

    /// Opens `path` with libtiff `mode` ("r", "w", "w8" for BigTIFF, "a").
    init(path: String, mode: String) throws(OpenFailure) {
        _ = Self.silenceGlobalHandlers
        let messages = TIFFMessages()
        let options = TIFFOpenOptionsAlloc()
        defer { TIFFOpenOptionsFree(options) }
        let context = Unmanaged.passUnretained(messages).toOpaque()
        TIFFOpenOptionsSetErrorHandlerExtR(options, tiffErrorHandler, context)
        TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarningHandler, context)
        guard let tiff = TIFFOpenExt(path, mode, options) else {
            let reason = messages.errors.last.map(TIFFMessages.withoutPath(path)) ?? "cannot open the file"
            throw OpenFailure(reason: reason)
        }
        self.path = path
        self.tiff = tiff
        self.messages = messages
    }

    deinit { TIFFClose(tiff) }

    /// The few libtiff paths that still report through the process-wide handlers would print to
    /// stderr under the terminal UI; they are silenced once (the failing call still returns an error).
    private static let silenceGlobalHandlers: Void = {
        TIFFSetErrorHandler(nil)
        TIFFSetWarningHandler(nil)
    }()

    /// libtiff's last error message for this file, without the file name it often starts with.
    var lastError: String? { messages.errors.last.map(TIFFMessages.withoutPath(path)) }

    /// Forgets captured messages (before an operation whose errors should be judged alone).
    func clearErrors() { messages.errors.removeAll() }

    /// An `ImportError.unreadable` with libtiff's last message, or `fallback` when it said nothing.
    func failure(_ fallback: String, page: Int?) -> ImportError {
        .unreadable(file: path, page: page, reason: lastError ?? fallback)
    }

    /// A scalar tag's value (its TIFF default when `defaulted` and absent), or nil when absent.
    func field<T: FixedWidthInteger>(_ tag: Int32, _ type: T.Type, defaulted: Bool = true) -> T? {
        var value = T.zero
        let found = withUnsafeMutablePointer(to: &value) { p in
            withVaList([p]) { args in
                defaulted ? TIFFVGetFieldDefaulted(tiff, UInt32(tag), args) : TIFFVGetField(tiff, UInt32(tag), args)
            }
        }
        return found == 1 ? value : nil
    }

    /// Sets a tag; integers are passed as C `int`/`uint32`, as libtiff's varargs expect.
    @discardableResult
    func set(_ tag: Int32, _ values: CVarArg...) -> Bool {
        withVaList(values) { TIFFVSetField(tiff, UInt32(tag), $0) } == 1
    }
}

/// Messages libtiff reported for one file.
final class TIFFMessages {
    var errors: [String] = []
    var warnings: [String] = []

    /// libtiff often starts a message with the file name; the error line already names the file.
    static func withoutPath(_ path: String) -> (String) -> String {
        { message in
            var m = message
            for prefix in [path + ": ", (path as NSString).lastPathComponent + ": "] where m.hasPrefix(prefix) {
                m.removeFirst(prefix.count)
            }
            return m
        }
    }
}

/// Formats a libtiff message (printf format + va_list) into a Swift string.
private func formatMessage(_ module: UnsafePointer<CChar>?, _ format: UnsafePointer<CChar>?, _ arguments: CVaListPointer?) -> String {
    guard let format, let arguments else { return format.map { String(cString: $0) } ?? "" }
    var buffer = [CChar](repeating: 0, count: 1024)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text
}

private let tiffErrorHandler: TIFFErrorHandlerExtR = { _, context, module, format, arguments in
    guard let context else { return 0 }
    let messages = Unmanaged<TIFFMessages>.fromOpaque(context).takeUnretainedValue()
    messages.errors.append(formatMessage(module, format, arguments))
    return 1
}

private let tiffWarningHandler: TIFFErrorHandlerExtR = { _, context, module, format, arguments in
    guard let context else { return 0 }
    let messages = Unmanaged<TIFFMessages>.fromOpaque(context).takeUnretainedValue()
    messages.warnings.append(formatMessage(module, format, arguments))
    return 1
}
