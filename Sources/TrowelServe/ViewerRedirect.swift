import Synchronization

/// The neuroglancer link that `GET /neuroglancer` redirects to, set once the port is known: a short
/// address to type into a browser instead of a two-kilobyte link.
public final class ViewerRedirect: Sendable {
    /// The path that redirects.
    public static let path = "/neuroglancer"
    private let link = Mutex<String?>(nil)

    public init() {}

    public var target: String? {
        get { link.withLock { $0 } }
        set { link.withLock { $0 = newValue } }
    }
}
