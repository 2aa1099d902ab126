import PatentModel

/// Patents written for the boundaries of QUERY.md: token distances, sentence and
/// paragraph edges (line breaks of every kind, `。`, `3.5V`, `Fig. 3`), claims counted
/// across, independent claims, party names side by side, CJK text, translations under
/// a declared "XX" language, irregular plurals, numbers and codes in every spelling.
enum PlantedPatents {
    static func date(_ value: String) -> PatentDate { PatentDate(value)! }

    /// Codes as the importer stores them: read from whatever spelling the source used.
    static func codes(_ raw: [String]) -> [String] { raw.compactMap { Classification.normalise($0) } }

    static let lantern: Patent = {
        var p = Patent(publication: PublicationNumber(office: "US", number: "99000001", kind: "B2")!)
        p.type = .grantedInvention
        p.originalLanguage = "en"
        p.publicationDate = date("20160503")
        p.grantDate = date("20160503")
        p.application = DocumentReference(office: "US", number: "14/123,456", date: date("20131010"))
        p.priorities = [DocumentReference(office: "US", number: "61/713,164", date: date("20121012")),
                        DocumentReference(office: "JP", number: "2017-187096", date: date("20170927"))]
        p.titles = [LocalizedText(language: "en", text: "Planted quartz lantern\nwith twin wicks")]
        p.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [
            "Alpha quartz one two three beta. Gamma delta.",
            "Zeta 3.5V cell near alpha.",
        ])]
        p.claims = [ClaimSet(language: "en", claims: [
            Claim(number: 1, text: "A lantern comprising a quartz wick."),
            Claim(number: 2, text: "The lantern of claim 1 wherein the quartz wick is twin quartz.", refersTo: [1]),
            Claim(number: 3, text: "A method of lighting a quartz lantern."),
        ])]
        p.descriptions = [Description(language: "en", paragraphs: [
            DescriptionParagraph(.heading, "Background"),
            DescriptionParagraph(.paragraph, "First line of text\nsecond line omega"),
            DescriptionParagraph(.paragraph, "Theta mu.\u{2028}Lambda rho\r\nkappa\u{85}sigma\u{2029}tau\rupsilon"),
            DescriptionParagraph(.paragraph, "Fig. 3 shows omega"),
        ])]
        p.applicants = [Party(name: "Alpha Beta Corp"), Party(name: "Gamma Delta Inc")]
        p.assignees = [Party(name: "Gamma Delta Inc")]
        p.inventors = [Party(name: "Quentin Zylstra"), Party(name: "Ada Quartz")]
        p.agents = [Party(name: "Lamp & Wick LLP")]
        p.ipc = codes(["H01M0010052500", "F21L 4/00"])
        p.cpc = codes(["Y02E 60/10", "H01M10/0525"])
        return p
    }()

    static let solarPanel: Patent = {
        var p = Patent(publication: PublicationNumber(office: "CN", number: "99000002", kind: "A")!)
        p.type = .application
        p.originalLanguage = "zh"
        p.publicationDate = date("20190115")
        p.application = DocumentReference(office: "CN", number: "201810175432.1", date: date("20180302"))
        p.priorities = [DocumentReference(office: "CN", number: "201810175432.1", date: date("20180302"))]
        p.titles = [LocalizedText(language: "zh", text: "太阳能电池板"), LocalizedText(language: "en", text: "Solar cell panel")]
        p.abstracts = [LocalizedParagraphs(language: "zh", paragraphs: ["一种太阳能电池。包括硅片和ソーラーパネル。태양전지"]),
                       LocalizedParagraphs(language: "en", paragraphs: ["A solar cell. It includes wafers."])]
        p.applicants = [Party(name: "北京测试有限公司")]
        p.inventors = [Party(name: "王小明")]
        p.ipc = codes(["H02S 40/38"])
        p.cpc = codes(["H02S40/38", "Y02E10/50"])
        return p
    }()

    static let streetLamp: Patent = {
        var p = Patent(publication: PublicationNumber(office: "EP", number: "99000003", kind: "A1")!)
        p.type = .application
        p.originalLanguage = "XX"
        p.publicationDate = date("20200610")
        p.application = DocumentReference(office: "EP", number: "19 123 456.7", date: date("20190105"))
        p.priorities = [DocumentReference(office: "EP", number: "EP12345678", date: date("20190104")),
                        DocumentReference(office: "IT", number: "BG2002A000039", date: date("20020301"))]
        p.titles = [LocalizedText(language: "de", text: "Straßenlaterne mit Glühbirne"),
                    LocalizedText(language: "en", text: "Street lamp with bulb")]
        p.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [
            "Lamps lighting lamp lit mice mouse. The geese came and went; a lamppost.",
        ])]
        p.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "A street lamp having lamps.")])]
        p.applicants = [Party(name: "Lamp Works GmbH")]
        p.inventors = [Party(name: "Jürgen Groß")]
        p.cpc = codes(["F21S 8/08", "F21S8/086"])
        p.ipc = codes(["F21S   8/08"])
        return p
    }()

    static let all = [lantern, solarPanel, streetLamp]

    /// Queries with their answer for the planted patents, decided by reading QUERY.md: each
    /// boundary from both sides. (`true`: the patent is found; `false`: it is not.)
    static let expectations: [(query: String, pn: String, found: Bool)] = [
        ("ABST:(alpha $W4 beta)", "US99000001B2", true), ("ABST:(alpha $W3 beta)", "US99000001B2", false),
        ("ABST:(alpha $PRE4 beta)", "US99000001B2", true), ("ABST:(beta $PRE4 alpha)", "US99000001B2", false),
        ("ABST:(alpha $SEN beta)", "US99000001B2", true), ("ABST:(beta $SEN gamma)", "US99000001B2", false),
        ("ABST:(beta $W0 gamma)", "US99000001B2", true), ("ABST:(\"3 5v\" $SEN near)", "US99000001B2", true),
        ("ABST:(zeta $PARA gamma)", "US99000001B2", false), ("ABST:(zeta $PARA near)", "US99000001B2", true),
        ("TTL:(lantern $SEN wicks)", "US99000001B2", true), ("TTL:(lantern $PARA wicks)", "US99000001B2", true),
        ("CLMS:(quartz $FREQ4)", "US99000001B2", true), ("CLMS:(quartz $FREQ5)", "US99000001B2", false),
        ("ICLMS:(quartz $FREQ2)", "US99000001B2", true), ("ICLMS:(quartz $FREQ3)", "US99000001B2", false),
        ("ICLMS:twin", "US99000001B2", false), ("CLMS:twin", "US99000001B2", true),
        ("CLMS:(\"quartz wick\" $FREQ2)", "US99000001B2", true), ("CLMS:(\"quartz wick\" $FREQ3)", "US99000001B2", false),
        ("CLMS:(wick $W0 the)", "US99000001B2", true), ("CLMS:(comprising $SEN wherein)", "US99000001B2", false),
        ("CLMS:(comprising $PARA wherein)", "US99000001B2", false), ("CLMS:(comprising $W8 wherein)", "US99000001B2", true),
        ("CLMS:(comprising $W7 wherein)", "US99000001B2", false),
        ("DESC:(mu $W0 lambda)", "US99000001B2", true), ("DESC:(mu $PARA lambda)", "US99000001B2", false),
        ("DESC:(rho $PARA kappa)", "US99000001B2", false), ("DESC:(kappa $PARA sigma)", "US99000001B2", false),
        ("DESC:(sigma $PARA tau)", "US99000001B2", false), ("DESC:(tau $PARA upsilon)", "US99000001B2", false),
        ("DESC:(fig $SEN shows)", "US99000001B2", false), ("DESC:(fig $W1 shows)", "US99000001B2", true),
        ("AN:\"beta corp\"", "US99000001B2", true), ("AN:\"corp gamma\"", "US99000001B2", false),
        ("AN:(corp $W2 gamma)", "US99000001B2", false), ("IN:(zylstra $W0 ada)", "US99000001B2", false),
        ("AT:wick", "US99000001B2", true), ("quartz $W0 lantern", "US99000001B2", true),
        ("PRNO:US61713164", "US99000001B2", true), ("PRNO:61/713,164", "US99000001B2", true),
        ("PRNO:\"US 61-713164\"", "US99000001B2", true), ("PRNO:JP2017187096", "US99000001B2", true),
        ("PRNO:JP2017-187097", "US99000001B2", false), ("APNO:US14123456", "US99000001B2", true),
        ("APNO:014123456", "US99000001B2", true), ("PN:US99000001", "US99000001B2", true), ("PN:US099000001B2", "US99000001B2", true),
        ("PN:us99000001b1", "US99000001B2", false),
        ("IPC:H01M10/05", "US99000001B2", true), ("IPC:H01M10/0526", "US99000001B2", false), ("IPC:H01M1", "US99000001B2", false),
        ("IPC:F21L4", "US99000001B2", true), ("IPC:F21L4/00", "US99000001B2", true), ("CPC:Y02E", "US99000001B2", true),
        ("H01M10", "US99000001B2", true), ("IPC:H01M1*", "US99000001B2", true),
        ("ISD:20160503", "US99000001B2", true), ("PBD_Y:[2016 TO 2016]", "US99000001B2", true), ("PBD_Y:[2017 TO *]", "US99000001B2", false),
        ("PRIORITY_DATE:[20121012 TO 20121012]", "US99000001B2", true), ("PRIORITY_DATE:[20121013 TO *]", "US99000001B2", false),
        ("TTL:太阳能", "CN99000002A", true), ("TTL:(太 $W0 阳)", "CN99000002A", true), ("ABST:(能 $SEN 硅)", "CN99000002A", false),
        ("ABST:(硅 $SEN パ)", "CN99000002A", true), ("ABST:태양", "CN99000002A", true), ("TTL:solar", "CN99000002A", false),
        ("TTL_ALL:solar", "CN99000002A", true), ("TTL:太阳*", "CN99000002A", true), ("TTL:(电 $W0 池)", "CN99000002A", true),
        ("AN:北京", "CN99000002A", true), ("APNO:CN201810175432", "CN99000002A", true),
        ("APNO:\"CN 201810175432.1\"", "CN99000002A", true), ("APNO:CN2018101754321", "CN99000002A", false),
        ("TTL:street", "EP99000003A1", true), ("TTL:straßenlaterne", "EP99000003A1", false),
        ("TTL_ALL:strassenlaterne", "EP99000003A1", true), ("TTL_ALL:glühbirne", "EP99000003A1", true),
        ("ABST:lamp#", "EP99000003A1", true), ("ABST:lamp? $W0 lighting", "EP99000003A1", true), ("ABST:*post", "EP99000003A1", true),
        ("IN:grosz", "EP99000003A1", false), ("IN:gross", "EP99000003A1", true), ("CPC:F21S8/08", "EP99000003A1", true),
        ("PRNO:12345678", "EP99000003A1", true), ("PRNO:ITBG2002A000039", "EP99000003A1", true),
        ("PRNO:\"IT BG2002A000039\"", "EP99000003A1", true), ("PRNO:BG2002A000039", "EP99000003A1", true), ("APNO:EP19123456", "EP99000003A1", true),
        ("APNO:\"EP 19 123 456.7\"", "EP99000003A1", true),
    ]
}
