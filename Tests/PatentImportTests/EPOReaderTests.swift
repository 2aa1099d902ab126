import Foundation
import PatentModel
import Testing
@testable import PatentImport

@Suite("EPO formats")
struct EPOReaderTests {
    @Test("publication server B2: trilingual titles and claims, proprietors, division parent")
    func publicationServer() throws {
        let p = try Fixtures.patent("EP2716170B2", in: "epo-publication/EP2716170B2.xml")
        #expect(p.originalLanguage == "de")
        #expect(p.publicationDate == PatentDate("20210922"))
        #expect(p.grantDate == PatentDate("20160203"))
        #expect(p.application == DocumentReference(office: "EP", number: "13196195.5", date: PatentDate("20120914")))
        #expect(p.titles.map(\.language) == ["de", "en", "fr"])
        #expect(p.titles[1].text == "Device for transporting material in the form of strips or tape")
        #expect(p.claims.map(\.language) == ["de", "en", "fr"])
        #expect(p.claims.allSatisfy { $0.claims.count == 4 })
        #expect(p.claims[0].claims.filter(\.isIndependent).map(\.number) == [1, 4])
        #expect(p.ipc == ["A24C5/20"])
        #expect(p.cpc == ["A24C5/20"])
        #expect(p.priorities == [DocumentReference(office: "DE", number: "102011114434", date: PatentDate("20110928"))])
        #expect(p.assignees == [Party(name: "Hauni Maschinenbau GmbH", country: "DE")])
        #expect(p.inventors.count == 4)
        #expect(p.relatedDocuments.first?.relation == "division")
        #expect(p.citations.count == 7)
    }

    @Test("publication server v1.0 B1 and A1")
    func oldVersions() throws {
        let b1 = try Fixtures.patent("EP1442058B1", in: "epo-publication/v1-0-B1.xml")
        #expect(b1.ipc == ["C07K14/47", "A61K38/17"])
        #expect(b1.claims.map(\.language) == ["en", "de", "fr"])
        #expect(b1.claims[0].claims.count == 3)
        let a1 = try Fixtures.patent("EP1325900A1", in: "epo-publication/v1-0-A1.xml")
        #expect(a1.type == .application)
        #expect(a1.claims.first?.claims.count == 7)
        #expect(a1.applicants == [Party(name: "ASAHI GLASS COMPANY LTD.", country: "JP")])
    }

    @Test("OPS biblio: family id, multilingual titles, EPODOC priorities, CPC")
    func opsBiblio() throws {
        let p = try Fixtures.patent("EP2906782A2", in: "epo-ops/EP2906782A2-biblio.xml")
        #expect(p.docdbFamilyID == "50474376")
        #expect(p.titles.map(\.language) == ["de", "fr", "en"])
        #expect(p.titles[2].text == "ATTITUDE REFERENCE FOR TIEBACK/OVERLAP PROCESSING")
        #expect(p.priorities.first == DocumentReference(office: "US", number: "201261713164", kind: "P", date: PatentDate("20121012")))
        #expect(p.cpc.first == "E21B47/02216")
        #expect(p.ipc == ["E21B7/00", "E21B47/00", "E21B47/022", "E21B47/024"])
        #expect(p.applicants == [Party(name: "SCIENTIFIC DRILLING INTERNATIONAL, INC", country: "US", variants: ["SCIENT DRILLING INT"])])
    }

    @Test("OPS full text: one claim element with a claim-text per claim")
    func opsClaims() throws {
        let p = try Fixtures.patent("EP1000000A1", in: "epo-ops/EP1000000A1-claims.xml")
        let claims = try #require(p.claims.first?.claims)
        #expect(claims.count == 11)
        #expect(claims[0].text.hasPrefix("1. Apparatus for manufacturing green bricks from clay"))
        #expect(claims[1].refersTo == [1])
    }

    @Test("OPS family list: every member with family id and priorities")
    func family() throws {
        let (patents, _) = try Fixtures.read("epo-ops/family-50474376.xml")
        #expect(patents.count == 11)
        #expect(Set(patents.map(\.publication.office)) == ["CA", "CN", "EP", "RU", "US", "WO"])
        #expect(patents.allSatisfy { $0.docdbFamilyID == "50474376" })
        #expect(patents.contains { $0.pn == "US20140102795A1" })
    }

    @Test("DOCDB exchange document keeps one data format per priority")
    func docdb() throws {
        let p = try Fixtures.patent("WO2023012807A1", in: "epo-ops/docdb-WO2023012807A1.xml")
        #expect(p.docdbFamilyID == "83004620")
        #expect(p.priorities == [DocumentReference(office: "US", number: "202163230089", kind: "P", date: PatentDate("20210806"))])
        // DOCDB's as-filed spelling (docdba) is shown, its abbreviation searchable, and the
        // residence only the docdb form gives kept.
        #expect(p.applicants.first == Party(name: "YEDA RESEARCH AND DEVELOPMENT CO. LTD.", country: "IL", variants: ["YEDA RES & DEV"]))
        #expect(p.inventors.map(\.name) == ["FLEISHMAN, Sarel", "TENNENHOUSE, Ariel"] && p.inventors.allSatisfy { $0.variants.isEmpty })
    }

    @Test("a claim referring back without a number depends on every claim before it, in each language of the file")
    func unnumberedReferences() throws {
        let patent = try Fixtures.patent("EP2716170B2", in: "epo-publication/EP2716170B2.xml")
        var checked = 0
        for set in patent.claims {
            for claim in set.claims where claim.text.contains("preceding claims") || claim.text.contains("vorhergehenden Ansprüche")
                || claim.text.contains("revendications précédentes") {
                #expect(claim.refersTo == Array(1..<claim.number), "\(set.language) claim \(claim.number)")
                checked += 1
            }
            #expect(set.claims.first?.isIndependent == true, "\(set.language) claim 1")
        }
        #expect(checked >= 2, "the English and French sets word it so (\(checked))")
        let wordings = [
            ("A process according to any preceding claim, wherein", true),
            ("A polymer as claimed in any one of the preceding claims.", true),
            ("Verfahren nach einem der vorhergehenden Ansprüche, dadurch gekennzeichnet", true),
            ("Procédé selon l'une quelconque des revendications précédentes.", true),
            ("如前述任一权利要求所述的方法", true),
            ("前記請求項のいずれかに記載の装置", true),
            ("선행하는 청구항 중 어느 한 항에 따른 장치", true),
            ("A method of making a polymer, comprising heating a monomer.", false),
            ("The apparatus as claimed, comprising a previous stage.", false),
        ]
        for (text, dependent) in wordings {
            #expect(!ClaimReferences.find(in: text, before: 4).isEmpty == dependent, "\(text)")
        }
        #expect(ClaimReferences.find(in: "Method according to claim 2 or any preceding claim", before: 4) == [2],
                "a numbered reference keeps its numbers")
    }

    @Test("MAREC lang=\"XX\" declares no language: the original is then English when present")
    func unknownLanguage() throws {
        let text = try String(contentsOfFile: Fixtures.path("marec/EP1130000B1.xml"), encoding: .utf8)
        let changed = text.replacingOccurrences(of: "<patent-document status=\"new\" lang=\"EN\"", with: "<patent-document status=\"new\" lang=\"XX\"")
        #expect(changed != text)
        let patent = try #require(try DocumentDecoder.decode(Array(changed.utf8)).get().first)
        #expect(patent.originalLanguage == nil)
        #expect(patent.resolvedOriginalLanguage == "en")
        #expect(!patent.abstracts.map(\.language).contains("xx") && !patent.claims.map(\.language).contains("xx"))
        #expect(Language.normalise("XX") == nil && Language.normalise("und") == nil && Language.normalise("EN") == "en")
    }

    @Test("MAREC and OPS: a granted utility model or design gets its issue date, an application none")
    func grantKindsFromMAREC() throws {
        let text = try String(contentsOfFile: Fixtures.path("marec/EP1130000B1.xml"), encoding: .utf8)
        func read(_ office: String, _ kind: String) throws -> Patent {
            let changed = text.replacingOccurrences(of: "country=\"EP\" doc-number=\"1130000\" kind=\"B1\"",
                                                    with: "country=\"\(office)\" doc-number=\"1130000\" kind=\"\(kind)\"")
                .replacingOccurrences(of: "ucid=\"EP-1130000-B1\"", with: "ucid=\"\(office)-1130000-\(kind)\"")
                .replacingOccurrences(of: "<country>EP</country><doc-number>1130000</doc-number><kind>B1</kind>",
                                      with: "<country>\(office)</country><doc-number>1130000</doc-number><kind>\(kind)</kind>")
            let patents = try DocumentDecoder.decode(Array(changed.utf8)).get()
            return try #require(patents.first)
        }
        let utility = try read("CN", "U")
        #expect(utility.type == .utilityModel && utility.grantDate == PatentDate("20051228") && utility.issueDate == PatentDate("20051228"))
        let design = try read("JP", "S")
        #expect(design.type == .design && design.issueDate == PatentDate("20051228"))
        let application = try read("KR", "U")
        #expect(application.grantDate == nil && application.issueDate == nil)
    }

    @Test("MAREC: ref tags stripped, original-spelling parties, ECLA kept")
    func marec() throws {
        let p = try Fixtures.patent("EP1130000B1", in: "marec/EP1130000B1.xml")
        #expect(p.claims.map(\.language) == ["de", "en", "fr"])
        #expect(p.claims[1].claims.count == 12)
        #expect(p.priorities == [DocumentReference(office: "JP", number: "2000058810", kind: "A", date: PatentDate("20000303"))])
        #expect(p.otherClassifications.first == SchemeCode(scheme: "ECLA", code: "C03B19/14D"))
        #expect(p.assignees == [Party(name: "SHIN-ETSU CHEMICAL CO., LTD.", country: "JP")])
        let us = try Fixtures.patent("US20030000393A1", in: "marec/US-20030000393-A1.xml")
        #expect(us.docdbFamilyID == "8846250")
        #expect(us.claims.first?.claims.filter(\.isIndependent).map(\.number) == [1])
        let description = us.descriptions.first?.paragraphs.map(\.text).joined(separator: " ") ?? ""
        #expect(!description.contains("<ref"))
    }

    @Test("EPO full-text TSV: sections per language")
    func tsv() throws {
        let (patents, problems) = try Fixtures.read("epo-tsv/sampleEP0600000.txt")
        #expect(problems.isEmpty)
        #expect(patents.map(\.pn) == ["EP600083A1", "EP600102A1", "EP600103A1"])
        #expect(patents[0].titles.map(\.language) == ["de", "en", "fr"])
        #expect(patents[0].descriptions.first?.paragraphs.first == DescriptionParagraph(.heading, "Field of Technology"))
    }
}

@Suite("CNIPA and JPO")
struct AsianOfficeReaderTests {
    @Test("CNIPA business schema")
    func cnBusiness() throws {
        let p = try Fixtures.patent("CN113781974A", in: "cnipa-jpo/cn_new1.xml")
        #expect(p.originalLanguage == "zh")
        #expect(p.publicationDate == PatentDate("20211210"))
        #expect(p.application == DocumentReference(office: "CN", number: "202111286633.X", date: PatentDate("20170424")))
        #expect(p.titles == [LocalizedText(language: "zh", text: "显示设备")])
        #expect(p.claims.first?.claims.count == 17)
        #expect(p.claims.first?.claims[0].text.hasPrefix("1.显示设备，包括：") == true)
        #expect(p.ipc == ["G09G3/36", "G09G3/3208", "G09G3/34"])
        #expect(p.applicants == [Party(name: "三星显示有限公司", country: "KR")])
        #expect(p.priorities == [DocumentReference(office: "KR", number: "10-2016-0063019", date: PatentDate("20160523"))])
        #expect(p.relatedDocuments.first?.relation == "division")
        let second = try Fixtures.patent("CN113783949A", in: "cnipa-jpo/cn_new2.xml")
        #expect(second.titles.first?.text == "一种基于合约管理的跨链去中心化方法")
        #expect(second.claims.first?.claims.count == 10)
    }

    @Test("CNIPA cn-patent-document (with a byte-order mark)")
    func cnOld() throws {
        let p = try Fixtures.patent("CN104223352A", in: "cnipa-jpo/cn_old1.xml")
        #expect(p.titles.first?.text == "一种甘草发酵所得烟用香料及其应用")
        #expect(p.claims.first?.claims.count == 3)
        #expect(p.ipc == ["A24B15/18", "C11B9/00", "C12P1/02", "C12R1/645"])
        #expect(p.inventors.count == 8)
        let other = try Fixtures.patent("CN104245682A", in: "cnipa-jpo/cn_old3.xml")
        #expect(other.applicants.first?.name == "日本新药株式会社")
        #expect(other.claims.first?.claims.count == 5)
    }

    @Test("JPO gazette")
    func jpo() throws {
        let p = try Fixtures.patent("JP2021044377A", in: "cnipa-jpo/jp_example1.xml")
        #expect(p.originalLanguage == "ja")
        #expect(p.titles.first?.text == "ウェーハの加工方法")
        #expect(p.application == DocumentReference(office: "JP", number: "2019165329", date: PatentDate("20190911")))
        #expect(p.claims.first?.claims.count == 6)
        #expect(p.ipc.prefix(2) == ["H01L21/301", "H01L21/67"])
        #expect(p.otherClassifications.first == SchemeCode(scheme: "FI", code: "H01L21/78 M"))
        #expect(p.applicants.first?.name == "株式会社ディスコ")
        #expect(p.inventors.count == 10)
        let other = try Fixtures.patent("JP2021041306A", in: "cnipa-jpo/jp_example3.xml")
        #expect(other.claims.first?.claims.count == 8)
        #expect(other.applicants.first?.name == "凸版印刷株式会社")
    }
}

@Suite("Party spellings")
struct PartySpellingTests {
    @Test("OPS: the original spelling is shown, the epodoc one is a variant paired by sequence")
    func ops() throws {
        let patent = try Fixtures.patent("EP2906782A2", in: "epo-ops/EP2906782A2-biblio.xml")
        #expect(patent.applicants.map(\.name) == ["SCIENTIFIC DRILLING INTERNATIONAL, INC"])
        #expect(patent.applicants.first?.variants == ["SCIENT DRILLING INT"])
        #expect(patent.inventors.first?.variants.isEmpty == true, "VANSTEENWYK BRETT is the same words as VANSTEENWYK, BRETT")
    }

    @Test("MAREC: every spelling of each party, paired by shared words when the formats list them in other orders")
    func marec() throws {
        let patent = try Fixtures.patent("EP1130000B1", in: "marec/EP1130000B1.xml")
        #expect(patent.applicants.count == 1)
        let applicant = try #require(patent.applicants.first)
        #expect(Set([applicant.name] + applicant.variants) == ["SHINETSU CHEMICAL CO", "SHIN-ETSU CHEMICAL CO., LTD."])
        #expect(patent.inventors.count == 4)
        #expect(patent.inventors.allSatisfy { $0.variants.isEmpty }, "the epo and intermediate inventor spellings are the original's words")
    }

    @Test("a record keeps its parties' variants through the store's binary form")
    func storedForm() throws {
        var patent = Patent(publication: PublicationNumber(parsing: "EP1A1")!)
        patent.applicants = [Party(name: "International Business Machines Corp", country: "US", variants: ["IBM", "INT BUSINESS MACHINES"])]
        patent.inventors = [Party(name: "Doe, Jane")]
        #expect(try PatentRecordCodec.decode(PatentRecordCodec.encode(patent)) == patent)
    }
}

/// The EPO's DOCDB bulk test data (`Tests/ReaderFixtures/epo-docdb`, from the shared
/// data): every exchange status reads with all its fields.
@Suite("DOCDB bulk exchange documents")
struct DOCDBBulkTests {
    func patent(_ pn: String, in file: String) throws -> Patent {
        let read = try Fixtures.read("epo-docdb/" + file, readerOnly: true)
        #expect(read.problems.isEmpty)
        return try #require(read.patents.first { $0.pn == pn }, "\(pn) in \(file)")
    }

    @Test("a document of status A (added) keeps applicants, IPC in DOCDB's fixed width, CPC, dates, priorities, title")
    func statusAdded() throws {
        let p = try patent("AP1206A", in: "AP-1206-A_302101161.xml")
        #expect(p.publicationDate == PatentDate("20030918") && p.docdbFamilyID == "22179393")
        #expect(p.applicants.map(\.name) == ["BRISTOL-MYERS SQUIBB COMPANY"] && p.inventors.count == 2)
        #expect(Array(p.ipc.prefix(2)) == ["A61K9/16", "A61K9/32"] && p.cpc.count == 8 && p.cpc.first == "A61K9/1652")
        #expect(p.priorities.map(\.office) == ["US", "US"] && p.priorities.first?.date == PatentDate("19980522"))
        #expect(p.titles.first?.text.hasPrefix("Enteric coated pharmaceutical composition") == true && !p.abstracts.isEmpty)
        #expect(p.citations.count == 3)
    }

    @Test("a backfile bundle of ten German grants: each with its date, title, classes and parties")
    func backfile() throws {
        let read = try Fixtures.read("epo-docdb/DE-backfile.xml", readerOnly: true)
        let grants = read.patents.filter { $0.publication.office == "DE" && $0.publication.kind == "B" }
        #expect(grants.count == 10)
        for grant in grants {
            #expect(grant.publicationDate == PatentDate("19680104") && !grant.titles.isEmpty && !grant.ipc.isEmpty && !grant.cpc.isEmpty
                    && !grant.applicants.isEmpty && !grant.inventors.isEmpty && grant.priorities.count == 1, "\(grant.pn)")
        }
        let p = try patent("DE1258194B", in: "DE-backfile.xml")
        #expect(p.applicants.count == 4 && p.ipc == ["F02K9/52"] && p.priorities.first?.office == "FR" && p.docdbFamilyID == "8821965")
    }

    @Test("WO and YU documents: every title language, CPC from classification symbols")
    func others() throws {
        let wo = try patent("WO2022259205A1", in: "WO-2022259205-A1_544370561.xml")
        #expect(wo.titles.map(\.language) == ["en", "fr"] && wo.inventors.count == 8 && wo.cpc.first == "A61K9/1075")
        let yu = try patent("YU6701A", in: "YU-6701-A_381353354.xml")
        #expect(yu.titles.map(\.language) == ["en", "sh"] && yu.cpc.first == "C07D307/91" && yu.applicants.map(\.name) == ["WARNER-LAMBERT COMPANY"])
        let wo2 = try patent("WO2023012807A1", in: "WO-2023012807-A1_507242069.xml")
        #expect(wo2.cpc.count == 9 && wo2.cpc.first == "C07K16/464")
        #expect(!OPSReader.holdsData(XMLElement(name: "exchange-document", attributes: [("status", "not found")])))
        #expect(OPSReader.holdsData(XMLElement(name: "exchange-document", attributes: [("status", "A")])))
    }
}
