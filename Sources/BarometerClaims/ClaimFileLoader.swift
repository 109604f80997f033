import Foundation
import Barometer
import BarometerIO

/// Reads claim files (`*.claims.json`, format `barometer-claims/1`) and
/// mapping files (`barometer-mapping/1`); JSON Schema in
/// `Fixtures/memos/claims.schema.json`.
///
/// Decoding failures become `BarometerError.invalidClaim(claim:field:reason:)`
/// naming the claim id (looked up from the failing path, e.g.
/// `claims[3].computation.kind` → the id of the fourth claim) and the field;
/// the decoded file is then validated semantically (`ClaimFile.validate()`).
public enum ClaimFileLoader {
    /// Loads and validates the claim file at `path`.
    /// - Throws: `BarometerError.invalidClaim(claim:field:reason:)`, or
    ///   `invalidArgument` when the file cannot be read.
    public static func load(_ path: String) throws(BarometerError) -> ClaimFile {
        try decode(try read(path))
    }

    /// Decodes and validates a claim file from JSON bytes.
    public static func decode(_ data: Data) throws(BarometerError) -> ClaimFile {
        let file: ClaimFile
        do { file = try JSONDecoder().decode(ClaimFile.self, from: data) } catch {
            throw describe(error, in: data, arrays: ["claims", "checks"], fallback: "(file)")
        }
        try file.validate()
        return file
    }

    /// Loads and validates the mapping file at `path`.
    public static func loadMapping(_ path: String) throws(BarometerError) -> ClaimMapping {
        let data = try read(path)
        let m: ClaimMapping
        do { m = try JSONDecoder().decode(ClaimMapping.self, from: data) } catch {
            throw describe(error, in: data, arrays: [], fallback: "(mapping)")
        }
        try m.validate()
        return m
    }

    static func read(_ path: String) throws(BarometerError) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidArgument("cannot read '\(path)': \(error.localizedDescription)")
        }
    }

    /// Turns a `DecodingError` into `invalidClaim`, naming the claim whose
    /// entry failed and the field path inside it.
    static func describe(_ error: any Error, in data: Data, arrays: [String], fallback: String) -> BarometerError {
        guard let e = error as? DecodingError else {
            return .invalidClaim(claim: fallback, field: "(json)", reason: "\(error)")
        }
        let path: [any CodingKey], reason: String
        switch e {
        case .keyNotFound(let key, let ctx):
            path = ctx.codingPath + [key]; reason = "required field is missing"
        case .typeMismatch(_, let ctx):
            path = ctx.codingPath; reason = ctx.debugDescription
        case .valueNotFound(_, let ctx):
            path = ctx.codingPath; reason = ctx.debugDescription
        case .dataCorrupted(let ctx):
            path = ctx.codingPath
            if ctx.codingPath.isEmpty {
                reason = JSONSyntax.firstError(in: data).map { "not valid JSON at \($0)" } ?? "not valid JSON"
            } else {
                reason = ctx.debugDescription
            }
        @unknown default:
            return .invalidClaim(claim: fallback, field: "(json)", reason: "\(e)")
        }
        var claim = fallback
        var fieldKeys = path
        if let first = path.first, arrays.contains(first.stringValue), path.count >= 2, let i = path[1].intValue {
            fieldKeys = Array(path.dropFirst(2))
            claim = "\(first.stringValue)[\(i)]"
            if let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let list = root[first.stringValue] as? [Any], i < list.count,
               let entry = list[i] as? [String: Any], let id = entry["id"] as? String {
                claim = id
            }
        }
        let field = fieldKeys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
        return .invalidClaim(claim: claim, field: field.hasPrefix(".") ? String(field.dropFirst()) : (field.isEmpty ? "(root)" : field),
                             reason: reason)
    }
}
