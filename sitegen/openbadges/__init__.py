"""Open Badges: the documents and what makes them verifiable (OB 2.0 documents, OB 3.0 credentials, JSON-LD,
Data Integrity proofs, keys, status lists, JWS, baking). Pure functions of the model: no files, no clock."""
