import Foundation
import Testing

/// Paths and JSON loading for fixtures committed under `Fixtures/`.
enum Fixture {
    /// The repository root, found from this source file's location.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    static func path(_ relative: String) -> String { url(relative).path }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(relative)))
    }
}

/// |a − b| ≤ rel · max(|a|, |b|, tiny): relative comparison used against references.
func close(_ a: Double, _ b: Double, rel: Double = 1e-10, abs absTol: Double = 0) -> Bool {
    if a == b { return true }
    if a.isNaN || b.isNaN { return false }
    return Swift.abs(a - b) <= max(rel * max(Swift.abs(a), Swift.abs(b)), absTol)
}
