extension Patent {
    /// Folds a newer record of the same publication into this one.
    ///
    /// Sources complement each other (an OPS biblio record, then its OPS full text;
    /// an EP A1 from MAREC, then the same from the publication server), so a merge
    /// never erases: a field the incoming record holds replaces the stored one,
    /// a field it lacks keeps the stored value, and per-language texts are
    /// replaced language by language. Re-importing the same document is therefore
    /// idempotent.
    public mutating func merge(_ incoming: Patent) {
        application = incoming.application ?? application
        publicationDate = incoming.publicationDate ?? publicationDate
        grantDate = incoming.grantDate ?? grantDate
        if incoming.type != .unknown { type = incoming.type }
        originalLanguage = incoming.originalLanguage ?? originalLanguage
        titles = Self.mergeByLanguage(titles, incoming.titles, language: \.language)
        abstracts = Self.mergeByLanguage(abstracts, incoming.abstracts, language: \.language)
        claims = Self.mergeByLanguage(claims, incoming.claims, language: \.language)
        descriptions = Self.mergeByLanguage(descriptions, incoming.descriptions, language: \.language)
        if !incoming.applicants.isEmpty { applicants = incoming.applicants }
        if !incoming.assignees.isEmpty { assignees = incoming.assignees }
        if !incoming.inventors.isEmpty { inventors = incoming.inventors }
        if !incoming.agents.isEmpty { agents = incoming.agents }
        if !incoming.ipc.isEmpty { ipc = incoming.ipc }
        if !incoming.cpc.isEmpty { cpc = incoming.cpc }
        if !incoming.otherClassifications.isEmpty { otherClassifications = incoming.otherClassifications }
        if !incoming.priorities.isEmpty { priorities = incoming.priorities }
        if !incoming.relatedDocuments.isEmpty { relatedDocuments = incoming.relatedDocuments }
        if !incoming.citations.isEmpty { citations = incoming.citations }
        docdbFamilyID = incoming.docdbFamilyID ?? docdbFamilyID
    }

    private static func mergeByLanguage<T>(_ stored: [T], _ incoming: [T], language: KeyPath<T, String>) -> [T] {
        var result = stored
        for item in incoming {
            if let index = result.firstIndex(where: { $0[keyPath: language] == item[keyPath: language] }) {
                result[index] = item
            } else {
                result.append(item)
            }
        }
        return result
    }
}
