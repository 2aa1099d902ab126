import Foundation
@testable import PatentIndex
import PatentQuery
import Testing
@testable import PatentSearch

/// The schema table is the one place search codes meet index fields and columns.
@Suite("Index schema")
struct IndexSchemaTests {
    @Test("every search field of the catalogue looks into index fields or a column, as QUERY.md §6 says")
    func everySearchFieldIsCovered() {
        for field in FieldCatalogue.searchFields {
            let scope = FieldScope(field)
            let covered = scope.positionalFields.count + scope.keywordFields.count + (scope.dateColumn == nil ? 0 : 1)
            #expect(covered > 0, "\(field.code)")
            if field.kind == .date || field.kind == .year { #expect(scope.dateColumn != nil, "\(field.code)") }
            if field.kind == .text { #expect(scope.keywordFields.isEmpty && scope.positionalFields.allSatisfy { $0.kind == .text }, "\(field.code)") }
            if field.kind == .party { #expect(scope.positionalFields.allSatisfy { $0.kind == .party }, "\(field.code)") }
        }
        func fields(_ code: String) -> [IndexField] { IndexSchema.current.fields(searchedBy: code) }
        #expect(fields("TAC") == [.title, .abstract, .claims])
        #expect(fields("TAC_ALL") == [.title, .abstract, .claims, .titleTranslations, .abstractTranslations, .claimsTranslations])
        #expect(fields("MAINF") == [.title, .abstract, .claims, .description, .applicants, .inventors,
                                    .publicationNumber, .applicationNumber, .ipc, .cpc])
        #expect(fields("ICLMS") == [.independentClaims])
        #expect(fields("AN") == [.applicants] && fields("AT") == [.agents])
        #expect(IndexSchema.current.column(searchedBy: "PBD_Y") == .publicationDate)
        #expect(IndexSchema.current.column(searchedBy: "ISD") == .grantDate)
    }

    @Test("the table lists every field and column once, in slot order, and weights text as QUERY.md §5")
    func tableIsComplete() {
        #expect(IndexSchema.current.fields.map(\.field) == IndexField.allCases)
        #expect(IndexSchema.current.columns.map(\.column) == Column.allCases)
        #expect([IndexField.title, .abstract, .claims, .description].map(\.weight) == [3, 2, 1.5, 1])
        #expect(IndexField.textFields.count == 10 && IndexField.applicants.kind == .party && IndexField.ipc.kind == .keyword)
    }

    @Test("the manifest stores the table by name; an index written under another table is rebuilt, not read")
    func manifestCarriesTheSchema() throws {
        let directory = MemoryDirectory()
        let writer = try IndexWriter(directory)
        try writer.commit()
        let stored = try #require(try directory.contents(of: "manifest.json"))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.contains("\"field\" : \"titleTranslations\"") && text.contains("\"column\" : \"priorityDate\""))
        #expect(try IndexManifest.load(from: directory).schema == .current)

        var other = IndexSchema.current
        other.fields[0].searchedBy.removeLast()
        var manifest = try IndexManifest.load(from: directory)
        manifest.schema = other
        try manifest.save(to: directory)
        #expect(throws: IndexError.oldFormat) { _ = try IndexSnapshot.open(directory) }
        #expect(IndexWriter.isOldFormat(directory))
        manifest.schema = nil
        try manifest.save(to: directory)
        #expect(IndexWriter.isOldFormat(directory), "a manifest from before the table was stored")
    }
}
