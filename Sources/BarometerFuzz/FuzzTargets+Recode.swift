import Foundation
import Barometer

extension FuzzTargets {
    /// Recode specifications (`--recode`, recode files): parse as one line and as a file, print
    /// back and parse again (the printed form must give an equal spec), then apply to the small
    /// dataset and check the new variable has one value per row and keeps the design.
    @Sendable static func recode(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? RecodeSpec.parseFile(text)
        guard let spec = try? RecodeSpec(parsing: text) else { return nil }
        guard let again = try? RecodeSpec(parsing: spec.description) else {
            return "the printed recode '\(spec.description)' does not parse"
        }
        guard again == spec else { return "the printed recode '\(spec.description)' parses to a different spec" }
        guard let design = smallDesign, let updated = try? design.recoding(spec) else { return nil }
        guard let v = updated.data[spec.target], v.count == design.rowCount, updated.rowCount == design.rowCount else {
            return "the recoded variable '\(spec.target)' is missing or has the wrong length"
        }
        return nil
    }
}
