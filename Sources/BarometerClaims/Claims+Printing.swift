import Barometer

// Printing: a claim report prints as its plain-text table, as every engine
// result does (see the engine's `TableRepresentable`).
extension ClaimEvaluationReport: CustomStringConvertible {}
extension ConsistencyReport: CustomStringConvertible {}
