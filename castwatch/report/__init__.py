"""Reports: the case dossier (HTML or PDF) and its charts."""
