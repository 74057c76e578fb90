"""The OpenAPI 3 description of /api/v1: the one place where the API's shapes are written down. The fuzzing
script (scripts/fuzz-api.sh) checks the server against it; tests/api checks that every route is in it."""

from __future__ import annotations

from ..evidence.filecheck import REFUSAL_CODES
from ..evidence.reading.search import MAX_QUERY_LENGTH as SEARCH_MAX_LENGTH
from ..evidence.reasons import REASONS
from ..inputs import LARGEST_ID


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "required": list(properties) if required is None else required, "properties": properties}


STRING, INTEGER, NUMBER, BOOLEAN = ({"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"})
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
N_STRING, N_INTEGER, N_NUMBER, N_DATE, N_DATETIME = (_nullable(x) for x in (STRING, INTEGER, NUMBER, DATE, DATETIME))

ERROR_TEXT = {
    400: "The request cannot be read (`bad_request`: e.g. a control character such as NUL in the query, which any "
    "operation refuses; `bad_json`; `csrf_failed`: a session request that changes something without the X-CSRFToken "
    "header).",
    401: "No valid credentials (`unauthenticated`, `invalid_token`).",
    403: "The role does not allow this (`forbidden`, `not_editable`, `own_upload`, `not_reviewer`).",
    404: "No such object in the user's unit (`not_found`): another unit's objects are never confirmed to exist.",
    409: "Someone else decided first (`decided_elsewhere`), or the document's metadata or links changed since the "
    "version named (`changed_since_seen`, with `changed`); `current` has the state and version that stand.",
    413: "The upload is larger than the limit (`too_large`).",
    415: "The body is not of the media type the operation takes (`unsupported_media_type`).",
    422: "The input is not valid (`invalid`, with `fields`), or the rule refuses it (see the operation).",
}

SCHEMAS = {
    "Error": _object(
        {
            "error": {
                "type": "object",
                "required": ["code", "message", "message_en"],
                "properties": {
                    "code": {**STRING, "description": "Stable, machine-readable."},
                    "message": {**STRING, "description": "Vietnamese."},
                    "message_en": {**STRING, "description": "English."},
                    "fields": {
                        "type": "object",
                        "description": "Per input field, what is wrong with it.",
                        "additionalProperties": {
                            "type": "array",
                            "items": _object({"message": STRING, "message_en": STRING}),
                        },
                    },
                    "current": {
                        **_object({"state": STRING, "version": INTEGER}),
                        "description": "On a 409: the decision that stands.",
                    },
                    "changed": {
                        "type": "array",
                        "description": "On a 409 `changed_since_seen`: what changed since the version named, "
                        "old → new (`field`: number, issue_date, sent_date, issuer, summary, period_start, "
                        "period_end, page_ref, or items: the codes of the items the document is offered for).",
                        "items": _object({"field": STRING, "old": {}, "new": {}}),
                    },
                },
            }
        }
    ),
    "Department": _nullable(_object({"id": INTEGER, "code": STRING, "name": STRING})),
    "UserRef": _nullable(_object({"id": INTEGER, "username": STRING, "name": STRING})),
    "Me": _object(
        {
            "id": INTEGER,
            "username": STRING,
            "name": STRING,
            "role": {"type": "string", "enum": ["staff", "reviewer", "admin", "province"]},
            "unit": _object({"code": STRING, "name": STRING}),
            "departments": {"type": "array", "items": _ref("Department")},
        }
    ),
    "Reason": _object({"code": {"type": "string", "enum": list(REASONS)}, "label": STRING, "label_en": STRING}),
    "IndexSummary": _object(
        {
            "id": INTEGER,
            "code": STRING,
            "name": STRING,
            "year": INTEGER,
            "max_points": NUMBER,
            "assessment_date": DATE,
            "last_year_score": N_NUMBER,
        }
    ),
    "Item": _object(
        {
            "id": INTEGER,
            "code": STRING,
            "title": STRING,
            "checks": STRING,
            "due_date": N_DATE,
            "weight": NUMBER,
            "owner_department": _ref("Department"),
            "assignee": _ref("UserRef"),
            "report_period": N_STRING,
            "report_deadline": N_DATE,
            "report_cutoff": N_DATE,
            "report_source": N_STRING,
            "criterion_id": INTEGER,
        }
    ),
    "CriterionSummary": _object(
        {
            "id": INTEGER,
            "code": STRING,
            "title": STRING,
            "max_points": NUMBER,
            "rule_type": STRING,
            "last_year_score": N_NUMBER,
            "last_year_note": N_STRING,
            "points_estimated": BOOLEAN,
            "department": _ref("Department"),
        }
    ),
    "Rubric": {
        "allOf": [
            _ref("IndexSummary"),
            _object(
                {
                    "areas": {
                        "type": "array",
                        "items": _object(
                            {
                                "id": INTEGER,
                                "code": STRING,
                                "name": STRING,
                                "max_points": NUMBER,
                                "last_year_score": N_NUMBER,
                                "criteria": {
                                    "type": "array",
                                    "items": {
                                        "allOf": [
                                            _ref("CriterionSummary"),
                                            _object({"items": {"type": "array", "items": _ref("Item")}}),
                                        ]
                                    },
                                },
                            }
                        ),
                    }
                }
            ),
        ]
    },
    "Measurement": _object(
        {
            "id": INTEGER,
            "measured_on": DATE,
            "numerator": NUMBER,
            "denominator": N_NUMBER,
            "percent": N_NUMBER,
            "source": STRING,
            "entered_at": DATETIME,
        }
    ),
    "SelfScore": _nullable(
        _object({"round": INTEGER, "score": NUMBER, "note": N_STRING, "explanation": N_STRING, "entered_at": DATETIME})
    ),
    "Criterion": {
        "allOf": [
            _ref("CriterionSummary"),
            _object(
                {
                    "index_id": INTEGER,
                    "area_id": INTEGER,
                    "items": {"type": "array", "items": _ref("Item")},
                    "measurements": {"type": "array", "items": _ref("Measurement")},
                    "self_score": _ref("SelfScore"),
                    "may_enter_figures": {**BOOLEAN, "description": "Whether this user may add measurements here."},
                }
            ),
        ]
    },
    "Document": _object(
        {
            "id": INTEGER,
            "filename": STRING,
            "content_type": STRING,
            "size": INTEGER,
            "sha256": STRING,
            "page_count": N_INTEGER,
            "uploaded_by": _ref("UserRef"),
            "uploaded_at": DATETIME,
            "number": N_STRING,
            "issue_date": N_DATE,
            "issuer": N_STRING,
            "summary": N_STRING,
            "period_start": N_DATE,
            "period_end": N_DATE,
            "page_ref": N_STRING,
            "sent_date": N_DATE,
        }
    ),
    "Reading": _nullable(
        {
            **_object(
                {
                    "status": {"type": "string", "enum": ["pending", "done", "failed"]},
                    "method": {**N_STRING, "description": "text (a PDF's text layer), ocr, office, none"},
                    "confidence": {**N_NUMBER, "description": "OCR: mean word confidence, 0–100."},
                    "pages": N_INTEGER,
                    "proposals": {
                        "type": "object",
                        "additionalProperties": STRING,
                        "description": "What the document itself says (number, issue_date, issuer, summary, "
                        "doc_type, place, signer, signer_position): suggestions, never stored without the uploader "
                        "(send them back with PATCH /documents/{document_id}).",
                    },
                    "signatures": {"type": "array", "items": {"type": "object"}},
                    "prechecks": {
                        "type": "array",
                        "items": _object(
                            {"evidence_id": INTEGER, "code": STRING, "reason": _ref("Reason"), "message": STRING}
                        ),
                    },
                }
            ),
            "description": "What was read from the file (null: reading is off). `prechecks` anticipate send-back "
            "reasons; they inform, a reviewer decides.",
        }
    ),
    "Evidence": {
        **_object(
            {
                "id": INTEGER,
                "state": {"type": "string", "enum": ["submitted", "approved", "changes_requested"]},
                "version": {**INTEGER, "description": "Send it with a decision (optimistic locking)."},
                "document_id": INTEGER,
                "item_id": INTEGER,
                "replaces_id": N_INTEGER,
                "linked_by": _ref("UserRef"),
                "linked_at": DATETIME,
                "document": _ref("Document"),
                "item": _object({"id": INTEGER, "code": STRING, "title": STRING}),
                "own": {**BOOLEAN, "description": "The user uploaded or linked it: someone else must decide on it."},
            },
            required=["id", "state", "version", "document_id", "item_id", "replaces_id", "linked_by", "linked_at"],
        ),
        "description": "A document offered as evidence for one checklist item.",
    },
    "Review": _object(
        {
            "id": INTEGER,
            "evidence_id": INTEGER,
            "decision": {"type": "string", "enum": ["approved", "changes_requested"]},
            "reason": _nullable(_ref("Reason")),
            "comment": N_STRING,
            "reviewer": _ref("UserRef"),
            "created_at": DATETIME,
        }
    ),
    "WorkItem": {
        "allOf": [
            _ref("Item"),
            _object(
                {
                    "state": {"type": "string", "enum": ["missing", "waiting", "changes_requested", "approved"]},
                    "overdue": BOOLEAN,
                    "due_soon": BOOLEAN,
                    "last_review": _nullable(_ref("Review")),
                }
            ),
        ]
    },
    "AuditEvent": _object(
        {
            "id": INTEGER,
            "occurred_at": DATETIME,
            "action": STRING,
            "actor": _ref("UserRef"),
            "object_type": N_STRING,
            "object_id": N_INTEGER,
            "data": {"type": "object"},
            "hash": STRING,
        }
    ),
    "Totals": _object(
        {
            **{
                k: N_NUMBER if k == "last_year" else NUMBER
                for k in ("max", "last_year", "secured", "expected", "best", "at_risk")
            },
            "penalty": NUMBER,
        },  # the index's totals only: the deviation penalty taken off
        ["max", "last_year", "secured", "expected", "best", "at_risk"],
    ),
    "Report": {
        **_object(
            {
                "unit": _object({"code": STRING, "name": STRING}),
                "as_of": DATE,
                "generated_at": DATETIME,
                "audit_head": _object(
                    {"events": INTEGER, "last_id": N_INTEGER, "last_hash": STRING}
                ),  # the audit chain's head when the report was made: an anchor for `audit verify --anchor`
                "indices": {
                    "type": "array",
                    "items": _object(
                        {
                            "code": STRING,
                            "name": STRING,
                            "year": INTEGER,
                            "id": INTEGER,
                            "assessment_date": DATE,
                            "closed": BOOLEAN,
                            "last_year_published": N_NUMBER,
                            "deviation_source": N_STRING,
                            "official": _nullable(
                                _object({"final_total": NUMBER, "published_total": N_NUMBER, "error": NUMBER})
                            ),
                            "totals": _ref("Totals"),
                            "areas": {
                                "type": "array",
                                "items": {"allOf": [_ref("Totals"), _object({"code": STRING, "name": STRING})]},
                            },
                            "departments": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "code": STRING,
                                        "name": STRING,
                                        "rate_per_week": NUMBER,
                                        "remaining": INTEGER,
                                        "waiting": INTEGER,
                                        "sent_back": INTEGER,
                                        "weeks_needed": N_NUMBER,
                                        "on_time": BOOLEAN,
                                    }
                                ),
                            },
                            "deviation_warning": _nullable(
                                _object(
                                    {
                                        "penalty_points": NUMBER,
                                        "criteria": {"type": "array", "items": STRING},
                                        "self_score_total": NUMBER,
                                        "expected_total": NUMBER,
                                        "threshold_percent": NUMBER,
                                    }
                                )
                            ),
                            "criteria": {
                                "type": "array",
                                "items": {
                                    "allOf": [
                                        _ref("Totals"),
                                        _object(
                                            {
                                                "code": STRING,
                                                "title": STRING,
                                                "area": STRING,
                                                "area_name": STRING,
                                                "risk": {
                                                    "type": "string",
                                                    "enum": ["secured", "on_track", "at_risk", "critical", "lost"],
                                                },
                                                "reason": STRING,
                                                "reasons": {"type": "array", "items": STRING},
                                                "owner": N_STRING,
                                                "due": N_DATE,
                                                "estimated": BOOLEAN,
                                                "probability": NUMBER,
                                                "priority": NUMBER,
                                                "remainder": BOOLEAN,
                                            }
                                        ),
                                    ]
                                },
                            },
                        }
                    ),
                },
            }
        ),
        "description": "The same shape as `minhchung report --format json` (see the README).",
    },
}

DOCUMENT_FIELD_PROPERTIES = {
    "number": {**STRING, "maxLength": 100, "description": "Số hiệu, e.g. 25/BC-UBND (required for a periodic report)."},
    "issue_date": {**DATE, "description": "Not in the future."},
    "issuer": {**STRING, "maxLength": 300},
    "summary": {**STRING, "maxLength": 2000, "description": "Trích yếu."},
    "period_start": DATE,
    "period_end": {**DATE, "description": "Not before period_start."},
    "page_ref": {**STRING, "maxLength": 200},
    "sent_date": {**DATE, "description": "When a report was sent (required for a periodic report); not in the future."},
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok: dict, *errors: int) -> dict:
    responses = dict(ok)
    for status in (400, 401, *errors):  # 400: any query with a control character (inputs.py)
        responses[str(status)] = {"description": ERROR_TEXT[status], **_json(_ref("Error"))}
    return responses


def _ok(description: str, schema: dict, status: int = 200) -> dict:
    return {str(status): {"description": description, **_json(schema)}}


def _path_id(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 0, "maximum": LARGEST_ID},
        "example": 1,
    }


def _query_id(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"Only evidence of this {what}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST_ID},
    }


def _array(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


def _json_body(schema: dict) -> dict:
    return {"required": True, **_json(schema)}


def openapi_document() -> dict:
    index, criterion, item = (
        _path_id("index_id", "index"),
        _path_id("criterion_id", "criterion"),
        _path_id("item_id", "item"),
    )
    document, evidence = _path_id("document_id", "document"), _path_id("evidence_id", "evidence")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Minh Chứng API",
            "version": "1",
            "description": "Evidence for the CCHC and DTI assessments of a ward. Everything is scoped to the "
            "user's unit, with the same roles and rules as the pages. Errors are JSON: "
            '`{"error": {"code", "message" (Vietnamese), "message_en"}}`.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal token (page “API tokens”, or `minhchung tokens create`).",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The pages' own calls; changes also need the X-CSRFToken header.",
                },
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        **_ok("The OpenAPI document.", {"type": "object"}),
                        "400": {"description": ERROR_TEXT[400], **_json(_ref("Error"))},
                    },
                }
            },
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "Who the credentials belong to.",
                    "responses": _responses(_ok("The user.", _ref("Me"))),
                }
            },
            "/reasons": {
                "get": {
                    "operationId": "reasons",
                    "summary": "The coded reasons for sending a document back.",
                    "responses": _responses(_ok("The reasons.", _array("Reason"))),
                }
            },
            "/indices": {
                "get": {
                    "operationId": "indices",
                    "summary": "The indices (rubrics) of the user's unit.",
                    "responses": _responses(_ok("The indices.", _array("IndexSummary"))),
                }
            },
            "/indices/{index_id}": {
                "get": {
                    "operationId": "rubric",
                    "summary": "An index with its areas, criteria and checklist items.",
                    "parameters": [index],
                    "responses": _responses(_ok("The rubric.", _ref("Rubric")), 404),
                }
            },
            "/criteria/{criterion_id}": {
                "get": {
                    "operationId": "criterion",
                    "summary": "A criterion with its items, measurements and self-score.",
                    "parameters": [criterion],
                    "responses": _responses(_ok("The criterion.", _ref("Criterion")), 404),
                }
            },
            "/criteria/{criterion_id}/measurements": {
                "get": {
                    "operationId": "measurements",
                    "summary": "The measurements of a ratio criterion, newest first.",
                    "parameters": [criterion],
                    "responses": _responses(_ok("The measurements.", _array("Measurement")), 404),
                },
                "post": {
                    "operationId": "addMeasurement",
                    "summary": "Record a measurement (reviewers, administrators, the criterion's department).",
                    "parameters": [criterion],
                    "requestBody": _json_body(
                        {
                            **_object(
                                {
                                    "numerator": {"type": ["number", "string"], "description": "The count (≥ 0)."},
                                    "denominator": {
                                        "type": ["number", "string", "null"],
                                        "description": "The total (> 0, ≥ numerator); null for a plain count.",
                                    },
                                    "measured_on": {
                                        **STRING,
                                        "pattern": r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$",
                                        "description": "YYYY-MM-DD or DD/MM/YYYY, not in the future.",
                                    },
                                    "source": {**STRING, "description": "Where the figure comes from."},
                                },
                                required=["numerator", "measured_on", "source"],
                            ),
                            "example": {
                                "numerator": 123,
                                "denominator": 1000,
                                "measured_on": "2024-05-31",
                                "source": "Hệ thống một cửa",
                            },
                        }
                    ),
                    "responses": _responses(_ok("Recorded.", _ref("Measurement"), 201), 403, 404, 415, 422),
                },
            },
            "/criteria/{criterion_id}/self-score": {
                "put": {
                    "operationId": "setSelfScore",
                    "summary": "Set the unit's self-score (reviewers, administrators).",
                    "parameters": [criterion],
                    "requestBody": _json_body(
                        _object(
                            {
                                "score": {
                                    "type": ["number", "string"],
                                    "description": "Between 0 and the criterion's maximum.",
                                },
                                "note": N_STRING,
                                "explanation": N_STRING,  # giải trình, shown in the self-assessment dossier
                            },
                            required=["score"],
                        )
                    ),
                    "responses": _responses(_ok("Saved.", _ref("SelfScore")), 403, 404, 415, 422),
                }
            },
            "/my/items": {
                "get": {
                    "operationId": "myItems",
                    "summary": "My checklist items (my departments' and those assigned to me), overdue first.",
                    "responses": _responses(_ok("The items.", _array("WorkItem"))),
                }
            },
            "/items/{item_id}": {
                "get": {
                    "operationId": "item",
                    "summary": "A checklist item with its state and evidence.",
                    "parameters": [item],
                    "responses": _responses(
                        _ok(
                            "The item.",
                            {
                                "allOf": [
                                    _ref("Item"),
                                    _object(
                                        {
                                            "state": {
                                                "type": "string",
                                                "enum": ["missing", "waiting", "changes_requested", "approved"],
                                            },
                                            "evidence": _array("Evidence"),
                                        }
                                    ),
                                ]
                            },
                        ),
                        404,
                    ),
                }
            },
            "/items/{item_id}/documents": {
                "post": {
                    "operationId": "upload",
                    "summary": "Upload one file as evidence for the item, with what the appraiser checks.",
                    "description": "The file is accepted by its content, as on the upload page. A refusal is a 422 whose "
                    f"code is one of: {', '.join(REFUSAL_CODES)}. The same bytes uploaded before in the "
                    "unit are not stored twice: that document is linked instead (`deduplicated`).",
                    "parameters": [item],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": _object(
                                    {"file": {"type": "string", "format": "binary"}, **DOCUMENT_FIELD_PROPERTIES},
                                    required=["file"],
                                )
                            }
                        },
                    },
                    "responses": _responses(
                        _ok(
                            "Uploaded (or linked, when the same bytes were there).",
                            _object(
                                {"document": _ref("Document"), "deduplicated": BOOLEAN, "evidence": _array("Evidence")}
                            ),
                            201,
                        ),
                        404,
                        413,
                        415,
                        422,
                    ),
                }
            },
            "/items/{item_id}/links": {
                "post": {
                    "operationId": "link",
                    "summary": "Offer a document already uploaded as evidence for this item too.",
                    "parameters": [item],
                    "requestBody": _json_body(
                        _object({"document_id": {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}})
                    ),
                    "responses": _responses(
                        {**_ok("Linked.", _ref("Evidence"), 201), **_ok("It was linked already.", _ref("Evidence"))},
                        404,
                        415,
                        422,
                    ),
                }
            },
            "/documents": {
                "get": {
                    "operationId": "documents",
                    "summary": "Search the unit's documents (without `q`: the newest).",
                    "description": "Every word of `q` must be in the document's number, summary, file name, issuer "
                    "or the text read from its file; accents are not needed (“ke hoach cai cach” finds “Kế hoạch cải "
                    "cách”, “d” finds “đ”). A quoted part must be found as it stands, its words together and in "
                    "order; an unquoted last word also matches the start of a word. Documents holding all the words "
                    "as one phrase come first, then by relevance, then the newest.",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "description": "What to search for.",
                            "schema": {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
                            "example": "ke hoach cai cach",
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "description": "At most this many documents (default 20).",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": _responses(
                        _ok(
                            "The documents found, best first.",
                            {
                                "type": "array",
                                "items": {
                                    "allOf": [
                                        _ref("Document"),
                                        _object(
                                            {
                                                "snippet": {
                                                    **N_STRING,
                                                    "description": "The text read from the file around the first "
                                                    "match; null when the words were found only in the number, "
                                                    "summary, file name or issuer.",
                                                },
                                                "phrase": {
                                                    **BOOLEAN,
                                                    "description": "All the words were found together, in order.",
                                                },
                                            }
                                        ),
                                    ]
                                },
                            },
                        ),
                        422,
                    ),
                }
            },
            "/documents/{document_id}": {
                "get": {
                    "operationId": "document",
                    "summary": "A document with the items it is evidence for.",
                    "parameters": [document],
                    "responses": _responses(
                        _ok(
                            "The document.",
                            {
                                "allOf": [
                                    _ref("Document"),
                                    _object(
                                        {
                                            "editable": BOOLEAN,
                                            "evidence": _array("Evidence"),
                                            "reading": _ref("Reading"),
                                        }
                                    ),
                                ]
                            },
                        ),
                        404,
                    ),
                },
                "patch": {
                    "operationId": "editDocument",
                    "summary": "Correct what was entered: in place until a reviewer decides (200); once sent back, "
                    "as a new version for review (201, `replaces` names the document sent back).",
                    "parameters": [document],
                    "requestBody": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                name: _nullable(schema) for name, schema in DOCUMENT_FIELD_PROPERTIES.items()
                            },
                        }
                    ),
                    "responses": _responses(
                        {
                            **_ok("Saved.", {"allOf": [_ref("Document"), _object({"editable": BOOLEAN})]}),
                            **_ok(
                                "Sent again for review as a new version (Location: the new document).",
                                {
                                    "allOf": [
                                        _ref("Document"),
                                        _object(
                                            {"editable": BOOLEAN, "replaces": INTEGER, "evidence": _array("Evidence")}
                                        ),
                                    ]
                                },
                                201,
                            ),
                        },
                        403,
                        404,
                        415,
                        422,
                    ),
                },
            },
            "/documents/{document_id}/audit": {
                "get": {
                    "operationId": "documentAudit",
                    "summary": "The audit trail of a document (administrators).",
                    "parameters": [document],
                    "responses": _responses(_ok("The events, oldest first.", _array("AuditEvent")), 403, 404),
                }
            },
            "/review/queue": {
                "get": {
                    "operationId": "reviewQueue",
                    "summary": "Evidence waiting for review, oldest first (reviewers).",
                    "parameters": [
                        _query_id("index", "index"),
                        _query_id("area", "area"),
                        _query_id("department", "department"),
                        _query_id("uploader", "uploader"),
                    ],
                    "responses": _responses(_ok("The queue.", _array("Evidence")), 403, 422),
                }
            },
            "/evidence/{evidence_id}": {
                "get": {
                    "operationId": "evidence",
                    "summary": "One piece of evidence with its reviews.",
                    "parameters": [evidence],
                    "responses": _responses(
                        _ok("The evidence.", {"allOf": [_ref("Evidence"), _object({"reviews": _array("Review")})]}), 404
                    ),
                }
            },
            "/evidence/{evidence_id}/decision": {
                "post": {
                    "operationId": "decide",
                    "summary": "Approve, or send back with a coded reason (reviewers; never on one's own upload).",
                    "parameters": [evidence],
                    "requestBody": _json_body(
                        _object(
                            {
                                "decision": {"type": "string", "enum": ["approved", "changes_requested"]},
                                "version": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": LARGEST_ID,
                                    "description": "The evidence's version as read: a decision, or a change of the "
                                    "document's metadata or links, made since gives 409.",
                                },
                                "reason": {
                                    "type": ["string", "null"],
                                    "enum": [*REASONS, None],
                                    "description": "Required to send back.",
                                },
                                "comment": {**N_STRING, "description": "Required with the reason `other`."},
                            },
                            required=["decision", "version"],
                        )
                        | {"example": {"decision": "approved", "version": 1}}
                    ),
                    "responses": _responses(
                        _ok("Decided.", _object({"review": _ref("Review"), "evidence": _ref("Evidence")})),
                        403,
                        404,
                        409,
                        415,
                        422,
                    ),
                }
            },
            "/report": {
                "get": {
                    "operationId": "report",
                    "summary": "The completeness report (as `minhchung report --format json`).",
                    "parameters": [
                        {
                            "name": "as_of",
                            "in": "query",
                            "required": False,
                            "description": "YYYY-MM-DD or DD/MM/YYYY (default today), years 2000–2100.",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": _responses(_ok("The report.", _ref("Report")), 422),
                }
            },
        },
    }
