import Testing
import TrowelVolume
@testable import TrowelUI

/// `:serve` in the viewer: the command line, the driver's answers, the status line and the side panel.
struct ServeStateTests {
    func command(_ text: String, _ driver: inout FakeDriver, _ state: inout AppState) {
        driver.press(":" + text, &state)
        driver.send(.input(.key(.enter)), to: &state)
    }

    @Test func serveStartsOnceShowsTheTunnelAndStops() {
        var driver = FakeDriver(shape: Shape(z: 8, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104))],
                             screen: (120, 40), colorMode: .palette256)
        driver.send(.tick, to: &state)
        command("serve", &driver, &state)
        #expect(driver.log.filter { $0 == .serve(port: 9000) }.count == 1)
        #expect(state.serve.link?.port == 9000)
        #expect(state.message == "serving http://127.0.0.1:9000 · on your computer: ssh -L 9000:127.0.0.1:9000 me@scanner · then open http://127.0.0.1:9000/neuroglancer")
        #expect(!state.messageIsError)
        let panel = App.view(state).text
        #expect(panel.contains("─ serve") && panel.contains("http://127.0.0.1:9000") && panel.contains("then open /neuroglancer"))
        // A second :serve does not start another server; another port must stop the first.
        command("serve", &driver, &state)
        #expect(driver.log.filter { if case .serve = $0 { return true } else { return false } }.count == 1)
        command("serve 9100", &driver, &state)
        #expect(state.message == "already serving on port 9000: :serve off first")
        command("serve off", &driver, &state)
        #expect(driver.log.contains(.stopServing) && state.serve.status == .off && state.message == "stopped serving")
        command("serve 9100", &driver, &state)
        #expect(state.serve.link?.port == 9100)
    }

    @Test func failuresAndBadPortsAreOneLine() {
        var driver = FakeDriver(shape: Shape(z: 8, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: [], screen: (120, 40), colorMode: .palette256)
        driver.send(.tick, to: &state)
        command("serve 8000", &driver, &state)
        #expect(state.messageIsError && state.message == "serve: 127.0.0.1:8000 is in use: pick another port with --port")
        #expect(state.serve.link == nil)
        command("serve 99999", &driver, &state)
        #expect(state.messageIsError && state.message == "serve 99999: give a port between 1 and 65535, or off")
        command("serve off", &driver, &state)
        #expect(state.message == "not serving")
        // After a failure it can be tried again.
        command("serve 9001", &driver, &state)
        #expect(state.serve.link?.port == 9001)
    }
}
