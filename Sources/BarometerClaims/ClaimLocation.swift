import Barometer
/// Where a claim appears: the memo's title and the table or paragraph.
public struct ClaimLocation: Sendable, Codable, Equatable {
    /// Memo title.
    public var memo: String
    /// Table, section and paragraph (e.g. `Table 1, 'Opinion of Russia'`).
    public var part: String
    /// Other places in the memo that state the same figure.
    public var alsoAt: [String]?

    /// - Parameters:
    ///   - memo: Memo title.
    ///   - part: Table, section and paragraph.
    ///   - alsoAt: Other places in the memo that state the same figure.
    public init(memo: String, part: String, alsoAt: [String]? = nil) {
        self.memo = memo
        self.part = part
        self.alsoAt = alsoAt
    }
}
