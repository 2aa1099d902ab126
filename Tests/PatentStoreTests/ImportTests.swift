import Foundation
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentStore

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

@Suite("Importing the fixture corpus")
struct ImportTests {
    @Test("every fixture imports; re-import changes nothing")
    func importFixtures() throws {
        let store = try PatentStore(directory: try temporaryDirectory("import"))
        let report = try Importer(store: store).run(paths: [fixtures])
        #expect(report.skipped.isEmpty && report.repaired.isEmpty)
        #expect(report.inserted == (try store.count()))
        let before = try store.statistics()
        #expect(before.publications == 86)
        let again = try Importer(store: store).run(paths: [fixtures])
        #expect(again.inserted == 0)
        #expect(try store.statistics() == before)
    }

    @Test("documents that are not patents are listed by kind, apart from skipped patent documents")
    func nonPatentsListedApart() throws {
        let folder = ((fixtures as NSString).deletingLastPathComponent as NSString).appendingPathComponent("ReaderFixtures/non-patent")
        let report = try Importer(store: nil).run(paths: [folder])
        #expect(report.skipped.isEmpty)
        #expect(report.notPatents.count == 16)
        #expect(report.notPatentsByKind[.serviceError] == 3 && report.notPatentsByKind[.searchResults] == 2)
    }

    @Test("the 11 members of family 50474376 form one family at every level; FAM_ID is 50474376")
    func family50474376() throws {
        let store = try PatentStore(directory: try temporaryDirectory("family"))
        _ = try Importer(store: store).run(paths: [(fixtures as NSString).appendingPathComponent("epo-ops")])
        #expect(try store.familyID(of: "EP2906782A2", level: .docdb) == 50474376)
        for level in FamilyLevel.allCases {
            let id = try #require(try store.familyID(of: "EP2906782A2", level: level))
            let members = try store.familyMembers(id, level: level)
            #expect(members == ["CA2887530A1", "CN104968889A", "EP2906782A2", "EP2906782A4", "RU2015117646A",
                                "US10047600B2", "US20140102795A1", "US20160245070A1", "US9291047B2",
                                "WO2014059282A2", "WO2014059282A3"], "\(level)")
        }
    }

    @Test("statistics count offices, coverage and family sizes")
    func statistics() throws {
        let store = try PatentStore(directory: try temporaryDirectory("stats"))
        _ = try Importer(store: store).run(paths: [(fixtures as NSString).appendingPathComponent("cnipa-jpo")])
        let stats = try store.statistics()
        #expect(stats.publications == 6)
        #expect(stats.byOffice == ["CN": 4, "JP": 2])
        #expect(stats.byLanguage == ["zh": 4, "ja": 2])
        #expect(stats.coverage["claims"] == 6)
        #expect(stats.families["DOCDB"]?.count == 6)
    }
}
