import ArgumentParser
import Foundation

/// Runs a command body; any error becomes one line on stderr and exit status 1 (never a trace).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.clearProgressLine()
        FileHandle.standardError.write(Data("trowel: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
