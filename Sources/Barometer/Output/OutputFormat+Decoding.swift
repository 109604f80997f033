import Foundation

extension OutputFormat {
    /// Reads back what ``renderJSON(_:)`` wrote: the strings "NaN",
    /// "Infinity" and "-Infinity" become the non-finite numbers again.
    ///
    /// ```swift
    /// let json = try OutputFormat.renderJSON(share)
    /// let again = try OutputFormat.decodeJSON(ConditionalShare.self, from: json)   // == share
    /// ```
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try d.decode(type, from: Data(json.utf8))
    }
}
