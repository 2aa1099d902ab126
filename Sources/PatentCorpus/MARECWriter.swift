import PatentModel

/// Writes a patent as a MAREC / CLEF-IP `patent-document`, which `patents import` reads.
public enum MARECWriter {
    public static func document(_ patent: Patent) -> String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let p = patent.publication
        let language = (patent.originalLanguage ?? "en").uppercased()
        x += "<patent-document country=\"\(p.office)\" doc-number=\"\(p.number)\" kind=\"\(p.kind)\""
        if let date = patent.publicationDate { x += " date=\"\(date)\"" }
        x += " lang=\"\(language)\""
        if let family = patent.docdbFamilyID { x += " family-id=\"\(XMLText.escaped(family))\"" }
        x += "><bibliographic-data>"
        x += "<publication-reference><document-id format=\"original\">" + id(p.office, p.number, p.kind, patent.publicationDate)
            + "</document-id></publication-reference>"
        if let application = patent.application {
            x += "<application-reference><document-id format=\"epo\">" + id(application.office, application.number, nil, application.date)
                + "</document-id></application-reference>"
        }
        if !patent.priorities.isEmpty {
            x += "<priority-claims>"
            for priority in patent.priorities {
                x += "<priority-claim><document-id format=\"epo\">" + id(priority.office, priority.number, nil, priority.date)
                    + "</document-id></priority-claim>"
            }
            x += "</priority-claims>"
        }
        x += "<technical-data><classifications-ipcr>"
        for code in patent.ipc { x += "<classification-ipcr>\(XMLText.escaped(code))</classification-ipcr>" }
        x += "</classifications-ipcr><classifications-cpc>"
        for code in patent.cpc { x += "<classification-cpc>\(XMLText.escaped(code))</classification-cpc>" }
        x += "</classifications-cpc>"
        for title in patent.titles { x += "<invention-title lang=\"\(title.language.uppercased())\">\(XMLText.escaped(title.text))</invention-title>" }
        x += "</technical-data><parties>"
        x += parties("applicants", "applicant", patent.applicants) + parties("assignees", "assignee", patent.assignees)
            + parties("inventors", "inventor", patent.inventors) + parties("agents", "agent", patent.agents)
        x += "</parties></bibliographic-data>"
        for abstract in patent.abstracts {
            x += "<abstract lang=\"\(abstract.language.uppercased())\">" + abstract.paragraphs.map { "<p>\(XMLText.escaped($0))</p>" }.joined() + "</abstract>"
        }
        for description in patent.descriptions {
            x += "<description lang=\"\(description.language.uppercased())\">"
            for paragraph in description.paragraphs {
                let tag = paragraph.kind == .heading ? "heading" : "p"
                x += "<\(tag)>\(XMLText.escaped(paragraph.text))</\(tag)>"
            }
            x += "</description>"
        }
        for claims in patent.claims {
            x += "<claims lang=\"\(claims.language.uppercased())\">"
            for claim in claims.claims { x += "<claim num=\"\(claim.number)\"><claim-text>\(XMLText.escaped(claim.text))</claim-text></claim>" }
            x += "</claims>"
        }
        return x + "</patent-document>\n"
    }

    private static func id(_ office: String, _ number: String, _ kind: String?, _ date: PatentDate?) -> String {
        "<country>\(office)</country><doc-number>\(XMLText.escaped(number))</doc-number>"
            + (kind.map { "<kind>\($0)</kind>" } ?? "") + (date.map { "<date>\($0)</date>" } ?? "")
    }

    private static func parties(_ group: String, _ element: String, _ parties: [Party]) -> String {
        guard !parties.isEmpty else { return "" }
        return "<\(group)>" + parties.map { party in
            "<\(element) format=\"original\"><addressbook><last-name>\(XMLText.escaped(party.name))</last-name>"
                + (party.country.map { "<address><country>\($0)</country></address>" } ?? "") + "</addressbook></\(element)>"
        }.joined() + "</\(group)>"
    }
}
