//! Strategies for documents, cards, operators and attestations (R13, R16, R24, R35).

use super::*;

/// Days from 2000 through 2099.
pub fn day() -> impl Strategy<Value = Date> {
    (0..36_500i64).prop_map(|days| {
        date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(date(2000, 1, 1))
    })
}

/// Identity document numbers as typed.
pub fn document_number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z]{2}[ ]?[0-9]{5}[ ]?[A-Z]{2}",
        "[A-Za-z0-9]{1,20}",
        "[A-Z]{2}-[0-9]{7}"
    ]
}

/// Identity documents of every kind.
pub fn identity_document() -> impl Strategy<Value = IdentityDocument> {
    (
        select(vec![
            DocumentKind::IdentityCard,
            DocumentKind::Passport,
            DocumentKind::DrivingLicence,
        ]),
        document_number_text(),
        day(),
    )
        .prop_filter_map("a generated document parses", |(kind, number, day)| {
            IdentityDocument::new(kind, &number, day).ok()
        })
}

/// Tessera sanitaria numbers as typed: 20 digits from 80380, sometimes spaced.
pub fn tessera_number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "80380[0-9]{15}",
        "8038 0[0-9]{3} [0-9]{4} [0-9]{4} [0-9]{4}"
    ]
}

/// Tessere sanitarie of generated codici fiscali.
pub fn tessera() -> impl Strategy<Value = TesseraSanitaria> {
    (personal_codice_fiscale(), tessera_number_text(), day())
        .prop_filter_map("a generated card parses", |(cf, number, day)| {
            TesseraSanitaria::new(cf, &number, day).ok()
        })
}

/// Operator identifiers as typed.
pub fn operator_id_text() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,30}"
}

/// Operator identifiers.
pub fn operator_id() -> impl Strategy<Value = OperatorId> {
    operator_id_text().prop_filter_map("a generated id parses", |id| OperatorId::new(&id).ok())
}

/// Reasons for rejecting an upgrade, as typed.
pub fn rejection_reason_text() -> impl Strategy<Value = String> {
    "[A-Za-zàèéìòù][A-Za-zàèéìòù0-9 ,.'-]{0,200}"
}

/// Rejection reasons.
pub fn rejection_reason() -> impl Strategy<Value = RejectionReason> {
    rejection_reason_text().prop_filter_map("a generated reason parses", |reason| {
        RejectionReason::new(&reason).ok()
    })
}

/// `fact`, vouched for by a generated operator at `now` or up to `max_age` earlier (so still
/// current under a policy whose `attestation_valid_for` exceeds `max_age`).
pub fn attested<T: std::fmt::Debug>(
    fact: impl Strategy<Value = T>,
    now: Timestamp,
    max_age: SignedDuration,
) -> impl Strategy<Value = Attested<T>> {
    let max_secs = max_age.as_secs().max(0);
    (fact, operator_id(), 0..=max_secs).prop_map(move |(fact, operator, age)| {
        let checked_at = now
            .checked_sub(SignedDuration::from_secs(age))
            .unwrap_or(now);
        Attested::vouched_for(fact, operator, checked_at)
    })
}

/// The archive's record of `person`, vouched for at `now`.
pub fn archive_attestation(
    person: &Person,
    now: Timestamp,
) -> impl Strategy<Value = Attested<ArchiveRecord>> {
    let record = ArchiveRecord::new(person.codice_fiscale(), person.residence().clone());
    attested(Just(record), now, SignedDuration::from_mins(30))
}
