/// Starts and stops the HTTP server behind `:serve`. The executable provides it, so TrowelUI does
/// not depend on the server library; tests can give a fake.
public protocol ProjectServing: AnyObject {
    /// Starts serving the project on `port` (in the background) and says where; throws a one-line error.
    func start(port: Int) throws -> ServeLink
    func stop()
}
