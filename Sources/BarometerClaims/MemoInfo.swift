import Barometer
/// Which memo a claim file describes.
public struct MemoInfo: Sendable, Codable, Equatable {
    /// Short lowercase id, e.g. `ponars-658`.
    public var id: String
    /// Full title (with series and date).
    public var title: String
    /// Authors as published.
    public var authors: [String]?
    /// Publication date (ISO 8601, year-month or full date).
    public var published: String?
    /// The survey(s) the memo reports on.
    public var survey: String?
    /// Where the memo's text is kept.
    public var text: String?

    /// - Parameters:
    ///   - id: Short lowercase id, e.g. `ponars-658`.
    ///   - title: Full title (with series and date).
    ///   - authors: Authors as published.
    ///   - published: Publication date (ISO 8601, year-month or full date).
    ///   - survey: The survey(s) the memo reports on.
    ///   - text: Where the memo's text is kept.
    public init(id: String, title: String, authors: [String]? = nil, published: String? = nil,
                survey: String? = nil, text: String? = nil) {
        self.id = id
        self.title = title
        self.authors = authors
        self.published = published
        self.survey = survey
        self.text = text
    }
}
