/// Stevens' level of measurement, as SPSS records it.
public enum MeasurementLevel: String, Sendable, Codable, CaseIterable {
    /// Unordered categories (region, language).
    case nominal
    /// Ordered categories (a Likert scale).
    case ordinal
    /// Interval or ratio numbers (age, income, a weight).
    case scale
}
