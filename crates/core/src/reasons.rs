//! Why a customer comes to the counter: reason codes that say *why*, not
//! only *what* (`defect.no_power`, `delivery.damaged_by_carrier`…), with the
//! words a clerk or a customer reads. The dossier workflow will make this
//! list editable data; until then this table is the reference.

/// (code, French label).
pub const REASONS: &[(&str, &str)] = &[
    ("defect.no_power", "Panne : l'appareil ne s'allume plus"),
    ("defect.noise", "Panne : bruit anormal"),
    ("defect.leak", "Panne : fuite"),
    ("defect.display", "Panne : écran ou affichage"),
    ("defect.battery", "Panne : batterie ou charge"),
    ("defect.intermittent", "Panne intermittente"),
    (
        "delivery.damaged_by_carrier",
        "Livraison : colis endommagé par le transporteur",
    ),
    ("delivery.wrong_item", "Livraison : mauvais article reçu"),
    (
        "delivery.missing_part",
        "Livraison : pièce ou accessoire manquant",
    ),
    (
        "usage.setup_help",
        "Aide à l'installation ou à l'utilisation",
    ),
    ("billing.double_charge", "Facturation : double débit"),
    (
        "withdrawal.changed_mind",
        "Rétractation : le client a changé d'avis",
    ),
];

/// The French label of a reason code; an unknown code is shown as it is
/// rather than hidden.
pub fn reason_label_fr(code: &str) -> String {
    REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_dotted_and_labelled() {
        let mut codes: Vec<&str> = REASONS.iter().map(|r| r.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REASONS.len());
        for (code, label) in REASONS {
            assert!(code.contains('.') && !label.is_empty(), "{code}");
        }
        assert_eq!(reason_label_fr("defect.leak"), "Panne : fuite");
        assert_eq!(reason_label_fr("unknown.code"), "unknown.code");
    }
}
