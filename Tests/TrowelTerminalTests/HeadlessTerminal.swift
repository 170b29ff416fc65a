import Glibc
import TrowelUI
@testable import TrowelTerminal

/// A CursesBackend on a pipe (input the test writes) and a temporary file (output the test reads):
/// ncurses runs with no terminal at all.
final class HeadlessTerminal {
    let backend: CursesBackend
    private let inputRead: Int32
    private let inputWrite: Int32
    private let outputDescriptor: Int32
    private let outputPath: String

    init(term: String = "xterm-256color", colorMode: ColorMode? = nil, colorTerm: String? = nil,
         trapSignals: Bool = false) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TerminalError.cursesFailed("pipe") }
        inputRead = fds[0]
        inputWrite = fds[1]
        var template = Array("/tmp/trowel-term-XXXXXX".utf8CString)
        outputDescriptor = mkstemp(&template)
        outputPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        backend = try CursesBackend(terminalType: term, input: inputRead, output: outputDescriptor,
                                    colorMode: colorMode, colorTerm: colorTerm, trapSignals: trapSignals)
    }

    deinit {
        backend.restore()
        close(inputRead)
        close(inputWrite)
        close(outputDescriptor)
        unlink(outputPath)
    }

    /// Types `text` (bytes as a terminal would send them).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(inputWrite, $0.baseAddress, $0.count) }
    }

    /// Everything ncurses (and the backend) wrote so far.
    var output: String {
        var info = stat()
        fstat(outputDescriptor, &info)
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        _ = pread(outputDescriptor, &bytes, bytes.count, 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Bytes written so far.
    var outputCount: Int {
        var info = stat()
        fstat(outputDescriptor, &info)
        return Int(info.st_size)
    }
}
