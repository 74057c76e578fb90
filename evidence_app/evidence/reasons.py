"""The coded reasons for sending a document back: the reasons appraisers reject evidence for."""

from flask_babel import lazy_gettext as _l

REASONS = {
    "unsigned": _l("not digitally signed"),  # chưa ký số
    "out_of_period": _l("outside the assessed period"),  # ngoài kỳ đánh giá
    "wrong_unit": _l("from the wrong unit"),  # sai đơn vị
    "illegible": _l("illegible"),  # không đọc được
    "incomplete": _l("missing pages / incomplete"),  # thiếu trang / không đầy đủ
    "irrelevant": _l("not relevant"),  # không liên quan
    "other": _l("other"),  # khác
}
