import Foundation
import TrowelTerminal
import Synchronization

/// Turns Ctrl-C, SIGTERM and SIGHUP (a dropped SSH link) into a flag that long jobs poll, so they
/// stop between slabs and clean up instead of dying mid-write.
enum Interrupts {
    private static let flag = Atomic<Int32>(0)

    static func install() {
        TerminatingSignals.unblock()
        for sig in TerminatingSignals.all {
            signal(sig) { received in
                // A second signal while the first is being handled: leave at once.
                if Interrupts.flag.exchange(received, ordering: .relaxed) != 0 { _exit(128 + received) }
            }
        }
    }

    static var isInterrupted: Bool { flag.load(ordering: .relaxed) != 0 }
}
