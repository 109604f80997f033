/// Printing: every result that can be shown as a ``TextTable`` prints as its
/// plain-text table, so `print(table)` shows what `barometer` shows with
/// `--format table` (the renderer is ``OutputFormat/table``).
extension TableRepresentable {
    /// The result as an aligned plain-text table (``OutputFormat/table``).
    public var description: String { OutputFormat.table.render(textTable) }
}

extension TextTable: CustomStringConvertible {
    /// The grid as an aligned plain-text table (``OutputFormat/table``).
    public var description: String { OutputFormat.table.render(self) }
}

extension FrequencyTable: CustomStringConvertible {}
extension ContingencyTable: CustomStringConvertible {}
extension MultipleResponseSet: CustomStringConvertible {}
extension CrosstabStatistics: CustomStringConvertible {}
extension DatasetSummary: CustomStringConvertible {}
extension ConditionalShare: CustomStringConvertible {}
extension ShareTable: CustomStringConvertible {}
extension DesignEstimates: CustomStringConvertible {}

// A correlation matrix prints as its p × p grid (see CorrelationMatrix+Grid.swift).
extension CorrelationMatrix: CustomStringConvertible {
    /// The labelled p × p grid with significance stars (``gridTable``).
    public var description: String { OutputFormat.table.render(gridTable) }
}

extension CorrelationMatrix: CustomDebugStringConvertible {
    /// The grid followed by the pair-by-pair table (n, SE, p, interval).
    public var debugDescription: String {
        OutputFormat.table.render(gridTable) + "\n\n" + OutputFormat.table.render(textTable)
    }
}
