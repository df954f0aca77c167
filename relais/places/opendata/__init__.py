"""Open-data exchange of places: the national standard of lieux de médiation numérique (CSV and JSON),
GeoJSON, Relais' own CSV, and the real open lists shipped in data/places/ (France Services 2024,
médiation numérique 2022)."""
