"""Controlled vocabularies of the registry.

Each entry is (code, French name, value in the national standard of lieux de médiation numérique or
"" when the standard has no such value). Codes are stable identifiers used by the API and the URLs;
names are what people read. The national standard's lists (v1.0.2) are reproduced exactly since they
are identifiers; see data/STANDARDS.md.
"""

# Typologies: tiers-lieux kinds first, then the data·inclusion structure types of the standard.
TIERS_LIEUX_TYPOLOGIES = [
    ("COWORKING", "Espace de coworking", "TIERS_LIEUX"),
    ("FABLAB", "Fablab / atelier de fabrication numérique", "FABLAB"),
    ("EPN", "Espace public numérique (EPN)", "EPN"),
    ("TELECENTRE", "Télécentre", "TIERS_LIEUX"),
    ("FRANCE_SERVICES", "France Services", "RFS"),
    ("MICRO_FOLIE", "Micro-Folie", "TIERS_LIEUX"),
    ("CAMPUS_CONNECTE", "Campus connecté", "TIERS_LIEUX"),
    ("ATELIER_PARTAGE", "Atelier partagé", "TIERS_LIEUX"),
    ("RESSOURCERIE", "Ressourcerie / recyclerie", "RESSOURCERIE"),
    ("GARAGE_SOLIDAIRE", "Garage solidaire", "TIERS_LIEUX"),
    ("CAFE_ASSOCIATIF", "Café associatif", "TIERS_LIEUX"),
    ("JARDIN_PARTAGE", "Jardin partagé", "TIERS_LIEUX"),
    ("TIERS_LIEUX", "Tiers-lieu", "TIERS_LIEUX"),
    ("FABRIQUE", "Fabrique de territoire", "FABRIQUE"),
    ("LIVING_LAB", "Living lab / laboratoire citoyen", "TIERS_LIEUX"),
]

# data·inclusion structure types accepted by the standard (code, meaning).
MEDNUM_TYPOLOGIES = [
    ("ACI", "Atelier chantier d'insertion"),
    ("ACIPHC", "SIAE — atelier chantier d'insertion premières heures en chantier"),
    ("AFPA", "Agence nationale pour la formation professionnelle des adultes"),
    ("AI", "Association intermédiaire"),
    ("ASE", "Aide sociale à l'enfance"),
    ("ASSO", "Association"),
    ("ASSO_CHOMEUR", "Association de chômeurs"),
    ("Autre", "Autre"),
    ("AVIP", "Crèche à vocation d'insertion professionnelle"),
    ("BIB", "Bibliothèque / médiathèque"),
    ("CAARUD", "CAARUD"),
    ("CADA", "Centre d'accueil de demandeurs d'asile"),
    ("CAF", "Caisse d'allocations familiales"),
    ("CAP_EMPLOI", "Cap emploi"),
    ("CAVA", "Centre d'adaptation à la vie active"),
    ("CC", "Communauté de communes"),
    ("CCAS", "Centre communal d'action sociale"),
    ("CCONS", "Chambre consulaire"),
    ("CD", "Conseil départemental"),
    ("CDAS", "Centre départemental d'action sociale"),
    ("CFP", "Centre des finances publiques"),
    ("CHRS", "Centre d'hébergement et de réinsertion sociale"),
    ("CHU", "Centre d'hébergement d'urgence"),
    ("CIAS", "Centre intercommunal d'action sociale"),
    ("CIDFF", "Centre d'information sur les droits des femmes et des familles"),
    ("CITMET", "Cité des métiers"),
    ("CMP", "Centre médico-psychologique"),
    ("CMS", "Centre médico-social"),
    ("CPAM", "Caisse primaire d'assurance maladie"),
    ("CPH", "Centre provisoire d'hébergement"),
    ("CS", "Centre social"),
    ("CSAPA", "CSAPA"),
    ("CSC", "Centre socioculturel"),
    ("DEETS", "DEETS"),
    ("DEPT", "Services sociaux du département"),
    ("DIPLP", "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"),
    ("E2C", "École de la deuxième chance"),
    ("EA", "Entreprise adaptée"),
    ("EATT", "Entreprise adaptée de travail temporaire"),
    ("EI", "Entreprise d'insertion"),
    ("EITI", "Entreprise d'insertion par le travail indépendant"),
    ("ENM", "Espace numérique mobile"),
    ("EPCI", "Intercommunalité (EPCI)"),
    ("EPI", "Espace public internet"),
    ("EPIDE", "EPIDE"),
    ("ES", "Épicerie solidaire"),
    ("ESAT", "ESAT"),
    ("ESS", "Entreprise de l'économie sociale et solidaire"),
    ("ETTI", "Entreprise de travail temporaire d'insertion"),
    ("EVS", "Espace de vie sociale"),
    ("FAIS", "Fédération d'acteurs de l'insertion et de la solidarité"),
    ("FT", "France Travail"),
    ("GEIQ", "Groupement d'employeurs pour l'insertion et la qualification"),
    ("HUDA", "Hébergement d'urgence pour demandeurs d'asile"),
    ("LA_POSTE", "La Poste"),
    ("MDE", "Maison de l'emploi"),
    ("MDH", "Maison des habitants"),
    ("MDEF", "Maison de l'emploi et de la formation"),
    ("MDPH", "Maison départementale des personnes handicapées"),
    ("MDS", "Maison départementale des solidarités"),
    ("MJC", "Maison des jeunes et de la culture"),
    ("ML", "Mission locale"),
    ("MQ", "Maison de quartier"),
    ("MSA", "Mutualité sociale agricole"),
    ("MSAP", "Maison de services au public"),
    ("MUNI", "Mairie / commune"),
    ("OACAS", "Organisme d'accueil communautaire et d'activités solidaires"),
    ("ODC", "Organisation délégataire d'un CD"),
    ("OF", "Organisme de formation"),
    ("OIL", "Opérateur d'intermédiation locative"),
    ("OPCS", "Organisation porteuse de la clause sociale"),
    ("PAD", "Point d'accès au droit"),
    ("PENSION", "Pension de famille / résidence accueil"),
    ("PI", "Point info"),
    ("PIJ_BIJ", "Point / bureau information jeunesse"),
    ("PIMMS", "Point information médiation multi-services"),
    ("PJJ", "Protection judiciaire de la jeunesse"),
    ("PLIE", "Plan local pour l'insertion et l'emploi"),
    ("PREF", "Préfecture / sous-préfecture"),
    ("PREVENTION", "Service ou club de prévention"),
    ("REG", "Région"),
    ("RELAIS_LECTURE", "Relais lecture"),
    ("RFS", "Réseau France Services"),
    ("RS_FJT", "Résidence sociale / foyer de jeunes travailleurs"),
    ("SCP", "Société coopérative de production"),
    ("SPIP", "Service pénitentiaire d'insertion et de probation"),
    ("UDAF", "Union départementale des associations familiales"),
]

# Old codes seen in older exports, mapped to current ones.
TYPOLOGY_ALIASES = {"PE": "FT"}

SERVICES = [
    # The nine services of the national standard v1.0.2.
    ("DEMARCHES", "Aide aux démarches administratives", "Aide aux démarches administratives"),
    (
        "OUTILS_QUOTIDIEN",
        "Maîtrise des outils numériques du quotidien",
        "Maîtrise des outils numériques du quotidien",
    ),
    (
        "INSERTION_PRO",
        "Insertion professionnelle via le numérique",
        "Insertion professionnelle via le numérique",
    ),
    ("SECURITE", "Utilisation sécurisée du numérique", "Utilisation sécurisée du numérique"),
    (
        "PARENTALITE",
        "Parentalité et éducation avec le numérique",
        "Parentalité et éducation avec le numérique",
    ),
    ("LOISIRS_CREATION", "Loisirs et créations numériques", "Loisirs et créations numériques"),
    ("CULTURE_NUMERIQUE", "Compréhension du monde numérique", "Compréhension du monde numérique"),
    ("ACCES_INTERNET", "Accès internet et matériel informatique", "Accès internet et matériel informatique"),
    (
        "MATERIEL_SOLIDAIRE",
        "Acquisition de matériel informatique à prix solidaire",
        "Acquisition de matériel informatique à prix solidaire",
    ),
    # Services of tiers-lieux beyond the standard.
    ("POSTE_TRAVAIL", "Poste de travail en coworking", ""),
    ("BUREAU_PRIVATIF", "Bureau privatif", ""),
    ("SALLE_REUNION", "Location de salle de réunion", ""),
    ("MACHINES_FABLAB", "Machines de fabrication (impression 3D, découpe laser…)", ""),
    ("DOMICILIATION", "Domiciliation d'entreprise", ""),
    ("VISIO_GUICHET", "Rendez-vous en visio avec un service public", ""),
    ("ACCOMPAGNEMENT_ENTREPRENEURS", "Accompagnement à la création d'entreprise", ""),
    ("FORMATION", "Formations et ateliers", ""),
    ("EVENEMENTS_CULTURELS", "Événements culturels", ""),
    ("RESTAURATION", "Café / restauration", ""),
    ("REEMPLOI", "Réemploi, réparation, repair café", ""),
    ("AMAP", "Distribution de paniers (AMAP)", ""),
    ("POINT_RELAIS", "Point relais colis", ""),
    ("CONCIERGERIE", "Conciergerie", ""),
    ("PRET_MATERIEL", "Prêt de matériel", ""),
    ("IMPRESSION", "Impression, photocopie, numérisation", ""),
    ("MOBILITE", "Aide à la mobilité (transport solidaire, covoiturage)", ""),
]

# Services of the 2022 (v0.x) exports → services of v1.0.2.
SERVICE_ALIASES_V0 = {
    "Prendre en main un ordinateur": "OUTILS_QUOTIDIEN",
    "Prendre en main un smartphone ou une tablette": "OUTILS_QUOTIDIEN",
    "Utiliser le numérique au quotidien": "OUTILS_QUOTIDIEN",
    "Approfondir ma culture numérique": "CULTURE_NUMERIQUE",
    "Promouvoir la citoyenneté numérique": "CULTURE_NUMERIQUE",
    "Réaliser des démarches administratives avec un accompagnement": "DEMARCHES",
    "Devenir autonome dans les démarches administratives": "DEMARCHES",
    "Accompagner les démarches de santé": "DEMARCHES",
    "Accéder à une connexion internet": "ACCES_INTERNET",
    "Accéder à du matériel": "ACCES_INTERNET",
    "Favoriser mon insertion professionnelle": "INSERTION_PRO",
    "Créer et développer mon entreprise": "ACCOMPAGNEMENT_ENTREPRENEURS",
    "Créer avec le numérique": "LOISIRS_CREATION",
    "S'équiper en matériel informatique": "MATERIEL_SOLIDAIRE",
}

PUBLICS = [
    ("JEUNES", "Jeunes", "Jeunes"),
    ("ETUDIANTS", "Étudiants", "Étudiants"),
    ("FAMILLES", "Familles et/ou enfants", "Familles et/ou enfants"),
    ("SENIORS", "Seniors", "Seniors"),
    ("FEMMES", "Femmes", "Femmes"),
    ("TOUS", "Tout public", ""),
    ("DEMANDEURS_EMPLOI", "Demandeurs d'emploi", ""),
    ("INDEPENDANTS", "Indépendants, télétravailleurs et entrepreneurs", ""),
    ("ASSOCIATIONS", "Associations", ""),
    ("HANDICAP", "Personnes en situation de handicap", ""),
]

PUBLIC_ALIASES_V0 = {
    "Jeunes (16-26 ans)": "JEUNES",
    "Seniors (+ 65 ans)": "SENIORS",
    "Familles/enfants": "FAMILLES",
    "Adultes": "TOUS",
}

# Labels and national programmes. The third item is the value in the standard, the fourth the column
# it belongs to ("dispositif_programmes_nationaux" or "formations_labels"), "" when it has none.
LABELS = [
    ("FRANCE_SERVICES", "France Services", "France Services", "dispositif_programmes_nationaux"),
    ("FABRIQUE_TERRITOIRE", "Fabrique de territoire", "Fabriques de Territoire", "formations_labels"),
    ("FABRIQUE_NUMERIQUE", "Fabrique numérique de territoire", "", ""),
    ("MICRO_FOLIE", "Micro-Folie", "", ""),
    ("CAMPUS_CONNECTE", "Campus connecté", "", ""),
    (
        "CONSEILLER_NUMERIQUE",
        "Conseiller numérique",
        "Conseillers numériques",
        "dispositif_programmes_nationaux",
    ),
    ("AIDANTS_CONNECT", "Aidants Connect", "Aidants Connect", "dispositif_programmes_nationaux"),
    ("APTIC", "APTIC (Pass numérique)", "", ""),
    (
        "BIB_NUMERIQUE_REFERENCE",
        "Bibliothèque numérique de référence",
        "Bibliothèques numérique de référence",
        "dispositif_programmes_nationaux",
    ),
    ("PIX", "Certification PIX", "Certification PIX", "dispositif_programmes_nationaux"),
    ("EMMAUS_CONNECT", "Emmaüs Connect", "Emmaüs Connect", "dispositif_programmes_nationaux"),
    (
        "GRANDE_ECOLE_NUMERIQUE",
        "Grande école du numérique",
        "Grande école du numérique",
        "dispositif_programmes_nationaux",
    ),
    ("CROIX_ROUGE", "La Croix Rouge", "La Croix Rouge", "dispositif_programmes_nationaux"),
    (
        "PAN_CAF",
        "Point d'accès numérique CAF",
        "Point d'accès numérique CAF",
        "dispositif_programmes_nationaux",
    ),
    ("PROMENEURS_NET", "Promeneurs du net", "Promeneurs du net", "dispositif_programmes_nationaux"),
    (
        "RELAIS_NUMERIQUE",
        "Relais numérique (Emmaüs Connect)",
        "Relais numérique (Emmaüs Connect)",
        "dispositif_programmes_nationaux",
    ),
    ("MON_ESPACE_SANTE", "Formé à « Mon Espace Santé »", "Formé à « Mon Espace Santé »", "formations_labels"),
    ("DUPLEX", "Formé à « DUPLEX » (illettrisme)", "Formé à « DUPLEX » (illettrisme)", "formations_labels"),
    (
        "ARNIA",
        "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
        "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
        "formations_labels",
    ),
    (
        "REEMPLOI_NORMANDIE",
        "Collectif ressources et acteurs réemploi (Normandie)",
        "Collectif ressources et acteurs réemploi (Normandie)",
        "formations_labels",
    ),
    ("ETAPES_NUMERIQUES", "Étapes numériques (La Poste)", "Étapes numériques(La Poste)", "formations_labels"),
    (
        "ECLAIREURS_NUMERIQUE",
        "Les Éclaireurs du numérique (Drôme)",
        "Les Éclaireurs du numérique (Drôme)",
        "formations_labels",
    ),
    (
        "MES_PAPIERS",
        "Mes Papiers (Métropole de Lyon)",
        "Mes Papiers (Métropole de Lyon)",
        "formations_labels",
    ),
    ("ORDI_3_0", "ORDI 3.0", "ORDI 3.0", "formations_labels"),
    ("SUD_LABS", "SUD LABS (PACA)", "SUD LABS (PACA)", "formations_labels"),
]

# Other spellings accepted on import (the npm library of the standard writes a space before "(La Poste)").
LABEL_ALIASES = {"Étapes numériques (La Poste)": "ETAPES_NUMERIQUES", "CNFS": "CONSEILLER_NUMERIQUE"}

# Small closed lists stored on the place itself: (code, French name = value in the standard).
SPECIFIC_SUPPORT = [
    ("SURDITE", "Surdité"),
    ("HANDICAPS_MOTEURS", "Handicaps moteurs"),
    ("HANDICAPS_MENTAUX", "Handicaps mentaux"),
    ("ILLETTRISME", "Illettrisme"),
    ("LANGUES_ANGLAIS", "Langues étrangères (anglais)"),
    ("LANGUES_AUTRES", "Langues étrangères (autres)"),
    ("DEFICIENCE_VISUELLE", "Déficience visuelle"),
]
SPECIFIC_SUPPORT_ALIASES_V0 = {
    "Surdité": "SURDITE",
    "Déficience visuelle": "DEFICIENCE_VISUELLE",
    "Personnes en situation d'illettrisme": "ILLETTRISME",
    "Public langues étrangères": "LANGUES_AUTRES",
}
FEES = [("GRATUIT", "Gratuit"), ("GRATUIT_SOUS_CONDITION", "Gratuit sous condition"), ("PAYANT", "Payant")]
ACCESS_MODES = [
    ("SE_PRESENTER", "Se présenter"),
    ("TELEPHONER", "Téléphoner"),
    ("MAIL", "Contacter par mail"),
    ("RDV_EN_LIGNE", "Prendre un RDV en ligne"),
    ("PAS_DE_PUBLIC", "Ce lieu n'accueille pas de public"),
    ("FICHE_PRESCRIPTION", "Envoyer un mail avec une fiche de prescription"),
]
ACCOMPANIMENT_MODES = [
    ("AUTONOMIE", "En autonomie"),
    ("INDIVIDUEL", "Accompagnement individuel"),
    ("ATELIER_COLLECTIF", "Dans un atelier collectif"),
    ("A_DISTANCE", "À distance"),
]
ACCOMPANIMENT_ALIASES_V0 = {
    "Seul": "AUTONOMIE",
    "Avec de l'aide": "INDIVIDUEL",
    "Dans un atelier": "ATELIER_COLLECTIF",
    "A ma place": "INDIVIDUEL",
}
ITINERANCY = [("FIXE", "Fixe"), ("ITINERANT", "Itinérant")]
