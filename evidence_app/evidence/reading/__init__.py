"""Reading what is in each uploaded file: its text (PDF text layer, OCR of scans and photos, Word and Excel), the
metadata an administrative document carries (Nghị định 30/2020/NĐ-CP), its digital signatures, and the pre-checks
a reviewer would otherwise do by eye. Pure functions (text, fields, signatures, prechecks) under one job
(jobs.read_document) that runs outside the request: RQ workers in production, a thread in the embedded demo."""
