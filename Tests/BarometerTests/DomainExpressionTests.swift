import Barometer
import BarometerIO
import Foundation
import Testing

/// `DomainExpression` against pandas' nullable-boolean (Kleene) evaluation
/// of the same expressions (`Fixtures/reference/domains/make_domains.py`).
@Suite struct DomainExpressionTests {
    struct Case: Decodable {
        let file: String
        let expression: String
        let count: Int
        let weighted: Double
        let first: [Int]
        let description: String?
    }
    struct Expected: Decodable { let cases: [Case] }

    static let strings = Result { try DatasetLoader.load(Fixture.path("Fixtures/reference/domains/strings.csv"),
                                                         codebook: Fixture.path("Fixtures/reference/domains/strings.codebook.json")) }
    static let kz = Result { try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                                    codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json")) }

    @Test func domainsMatchPandasKleeneLogic() throws {
        let expected = try Fixture.decode(Expected.self, "Fixtures/reference/domains/expected.json")
        #expect(expected.cases.count >= 20)
        for c in expected.cases {
            let data = try (c.file == "kz" ? Self.kz : Self.strings).get()
            let design = try SurveyDesign(data: data)
            let d = try design.domain(where: c.expression)
            let rows = d.mask.indices.filter { d.mask[$0] }
            #expect(rows.count == c.count, "\(c.expression)")
            #expect(Array(rows.prefix(5)) == c.first, "\(c.expression)")
            let w = rows.reduce(0.0) { $0 + design.weights.values[$1] }
            #expect(close(w, c.weighted, rel: 1e-12), "\(c.expression): \(w) vs \(c.weighted)")
            if let text = c.description { #expect(d.description == text, "\(d.description)") }
        }
    }

    /// Every parse error names the offending token and its 0-based offset.
    @Test(arguments: [
        ("lang ==", 7, "", "expected a value"),
        ("lang = = 1", 7, "=", "expected a value"),
        ("lang == 1 and", 13, "", "expected a variable name"),
        ("(lang == 1", 10, "", "missing ')'"),
        ("lang == 1)", 9, ")", "expected 'and', 'or'"),
        ("lang 1", 5, "1", "expected a comparison"),
        ("q is maybe", 5, "maybe", "unknown status"),
        ("q in 1,,2", 7, ",", "expected a value"),
        ("q == 'abc", 5, "'abc", "unterminated"),
        ("q == 1 # 2", 7, "#", "unexpected character"),
        ("q in 2x", 5, "2x", "neither a number nor a name"),
        ("q not 3", 6, "3", "expected 'in'"),
        ("and == 1", 0, "and", "expected a variable name"),
    ] as [(String, Int, String, String)])
    func parseErrorsPointAtTheToken(_ text: String, _ offset: Int, _ token: String, _ reason: String) {
        do {
            _ = try DomainExpression(text)
            Issue.record("no error for \(text)")
        } catch let e {
            guard case .invalidExpression(let expr, let o, let t, let r) = e else { Issue.record("\(e)"); return }
            #expect(expr == text)
            #expect(o == offset, "\(text): \(e)")
            #expect(t == token, "\(text): \(e)")
            #expect(r.contains(reason), "\(text): \(r)")
            #expect(e.description.contains("^"))
        }
    }

    /// Depth is bounded (a chain of 5,000 `and` tests, 55 KB, fits on a command line and
    /// overflowed the stack when evaluated): at most 800 `and`/`or` and 249 nested `(`/`not`
    /// (Stata's limits), each refused at the token that passes it; at the limits the
    /// deepest trees parse, evaluate and describe.
    @Test func depthIsBounded() throws {
        let data = try Dataset(variables: [Variable(name: "q", values: [1, 2, 3, .nan])])
        func refusal(_ text: String) -> (offset: Int, token: String, reason: String)? {
            do { _ = try DomainExpression(text); return nil } catch {
                guard case .invalidExpression(_, let o, let t, let r) = error else { return nil }
                return (o, t, r)
            }
        }
        // 801 tests joined by 800 'and': fine; one more 'and' is refused at itself.
        let chain = Array(repeating: "q == 1", count: 801).joined(separator: " and ")
        let deep = try DomainExpression(chain)
        #expect(try deep.domain(in: data).mask == [true, false, false, false])
        #expect(try deep.describe(in: data).count == 801 * 5 + 800 * 5)   // "q = 1" and " and "
        let over = refusal(chain + " or q == 2")
        #expect(over?.offset == chain.count + 1 && over?.token == "or" && over?.reason.contains("800") == true)
        // 249 nested parentheses around 'not': fine (248 + 'not' = 249 levels); one more '(' is refused at itself.
        let nested = String(repeating: "(", count: 248) + "not q == 1" + String(repeating: ")", count: 248)
        #expect(try DomainExpression(nested).domain(in: data).mask == [false, true, true, false])
        let tooDeep = "(" + nested + ")"
        let refused = refusal(tooDeep)
        #expect(refused?.offset == 249 && refused?.token == "not" && refused?.reason.contains("249") == true)
        #expect(refusal(String(repeating: "! ", count: 250) + "q == 1")?.offset == 2 * 249)
        // Both limits together: 800 operators, each right operand nested 2 deep.
        let both = Array(repeating: "(not (q == 1))", count: 801).joined(separator: " or ")
        #expect(try DomainExpression(both).domain(in: data).mask == [false, true, true, false])
    }

    @Test func evaluationErrorsNameVariableOrToken() throws {
        let data = try Self.kz.get()
        // unknown variable inside an expression: the typed error with suggestions
        #expect(throws: BarometerError.unknownVariable("langg", suggestions: ["lang"])) {
            _ = try DomainExpression("wave == 2019 and (langg == 1 or sex == 1)").domain(in: data)
        }
        // a label the variable does not have: the token and its offset, and the labels it has
        do {
            _ = try DomainExpression("wave == 2019 and lang == 'Kazak'").domain(in: data)
            Issue.record("no error")
        } catch let e {
            guard case .invalidExpression(_, let o, let t, let r) = e else { Issue.record("\(e)"); return }
            #expect(o == 25 && t == "'Kazak'")
            #expect(r.contains("1 \"Kazakh\"") && r.contains("2 \"Russian\""))
        }
        // `is dk` on a variable with no Don't-know code
        do {
            _ = try DomainExpression("lang is dk").domain(in: data)
            Issue.record("no error")
        } catch let e {
            guard case .invalidExpression(_, 0, "lang", let r) = e else { Issue.record("\(e)"); return }
            #expect(r.contains("Don't know"))
        }
        // order comparison and range on a string variable
        let s = try Self.strings.get()
        #expect(throws: BarometerError.self) { _ = try DomainExpression("region > 'A'").domain(in: s) }
        do { _ = try DomainExpression("region in A-C").domain(in: s); Issue.record("no error") } catch let e {
            guard case .invalidExpression(_, 10, "A", _) = e else { Issue.record("\(e)"); return }
        }
        do { _ = try DomainExpression("age in 30-20").domain(in: s); Issue.record("no error") } catch let e {
            guard case .invalidExpression(_, 7, "30", let r) = e else { Issue.record("\(e)"); return }
            #expect(r.contains("empty"))
        }
    }

    @Test func labelsRecognisedAsDontKnowAndRefused() {
        for l in ["Don't know", "DON’T KNOW", "DK", "Hard to say", "Затрудняюсь ответить", "Do not know"] {
            #expect(DomainExpression.isDontKnowLabel(l), "\(l)")
        }
        for l in ["Refused", "Declined to answer", "Отказ от ответа"] { #expect(DomainExpression.isRefusedLabel(l), "\(l)") }
        for l in ["Very favorable", "Knowledgeable", "Other"] {
            #expect(!DomainExpression.isDontKnowLabel(l) && !DomainExpression.isRefusedLabel(l), "\(l)")
        }
    }

    @Test func codeSetFormAndIndicator() throws {
        let data = try Self.kz.get()
        let e = try DomainExpression("q_us_opinion in 1,2")
        let cs = try #require(try e.codeSet(in: data))
        #expect(cs.variable == "q_us_opinion" && cs.codes == [1, 2])
        #expect(try DomainExpression("q_us_opinion in 1-2").codeSet(in: data) == nil)
        #expect(try DomainExpression("lang == Kazakh").codeSet(in: data)?.codes == [1])
        // The indicator is 1 exactly on the domain, 0 where false, system-missing where unknown.
        let x = try DomainExpression("q_russia_opinion <= 2").indicator(in: data, name: "fav")
        let q = try data.variable("q_russia_opinion")
        for i in 0..<data.rowCount {
            let v = q.values[i]
            let expected: Double = v.isNaN || v == 8 || v == 9 ? .nan : (v <= 2 ? 1 : 0)
            #expect(x.values[i] == expected || (x.values[i].isNaN && expected.isNaN))
        }
        #expect(x.valueLabels[1] == "q_russia_opinion <= 2")
    }
}
