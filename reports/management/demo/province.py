"""The province's own index (Chỉ số CCHC cấp tỉnh): the content of
docs/samples/criteria_province.xlsx (make_samples.py).

Shaped like the Ministry's set for provinces (QĐ 876/QĐ-BNV, 8 fields, 100 points of which
32 come from the survey); the points inside each field are *illustrative*. The `responsible`
column names the department that advises on each item, lead first (seed 000: Nội vụ, Tư
pháp, Tài chính, KH&CN, Văn phòng UBND, Cục Thống kê, Cục Thuế).
"""
from __future__ import annotations

from decimal import Decimal

from scoring.criteria_excel import CriterionRow, write_workbook
from scoring.rules.text import parse_params

X = "x"
EV = "Tài liệu kiểm chứng: "
SURVEY = "Bộ Nội vụ chấm từ kết quả điều tra xã hội học; tỉnh không tự chấm."


def yes_no(points: str) -> str:
    return f"Đạt={points}; Không đạt=0"


# Agencies the sample names (codes of the demo province; Cục Thống kê and Cục Thuế are not ranked).
PROVINCE_AGENCIES = [
    ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"), ("STC", "Sở Tài chính"), ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("VPUBND", "Văn phòng UBND tỉnh"), ("CTK", "Cục Thống kê tỉnh"), ("CT", "Cục Thuế tỉnh"),
]

# (code, title, max points, rule, rule_params, evidence required, guidance, responsible: lead first)
PROVINCE_ROWS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", "8", "sum", "", "", "", ""),
    ("1.1", "Kế hoạch CCHC năm của tỉnh", "2", "levels", "Ban hành đúng thời hạn=2; Ban hành chậm=1; Không ban hành=0",
     X, EV + "Kế hoạch CCHC năm của UBND tỉnh.", "SNV"),
    ("1.2", "Mức độ hoàn thành kế hoạch CCHC", "2", "bands", ">=100:2; 80-<100:1; <80:0", X,
     EV + "Báo cáo CCHC năm.", "SNV"),
    ("1.3", "Báo cáo CCHC đầy đủ, đúng hạn", "1", "levels", yes_no("1"), X, EV + "Các báo cáo định kỳ.", "SNV"),
    ("1.4", "Kiểm tra công tác CCHC", "1.5", "ratio", "", X, EV + "Kế hoạch và báo cáo kiểm tra.", "SNV"),
    ("1.5", "Sáng kiến, giải pháp mới trong CCHC", "1.5", "manual", "step=0.5", X, EV + "Quyết định công nhận.",
     "SNV, SKHCN"),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "8", "sum", "", "", "", ""),
    ("2.1", "Ban hành VBQPPL theo kế hoạch", "3", "ratio", "", X, EV + "Danh mục VBQPPL ban hành.", "STP"),
    ("2.2", "Rà soát, hệ thống hóa VBQPPL", "2.5", "levels", yes_no("2.5"), X, EV + "Báo cáo rà soát.", "STP"),
    ("2.3", "Kiểm tra, xử lý VBQPPL", "2.5", "bands", ">=100:2.5; 80-<100:1.5; <80:0", X,
     EV + "Báo cáo kiểm tra văn bản.", "STP, VPUBND"),
    ("3", "Cải cách thủ tục hành chính", "11", "sum", "", "", "", ""),
    ("3.1", "Công bố, công khai TTHC đúng hạn", "3", "bands", ">=100:3; 80-<100:1.5; <80:0", X,
     EV + "Quyết định công bố TTHC.", "VPUBND"),
    ("3.2", "Tỷ lệ hồ sơ giải quyết đúng hạn", "5", "bands", ">=98:5; 90-<98:3; <90:0; over=refuse", X,
     EV + "Số liệu Hệ thống thông tin giải quyết TTHC.", "VPUBND"),
    ("3.3", "Tiếp nhận, xử lý phản ánh, kiến nghị", "3", "ratio", "", X, EV + "Báo cáo xử lý phản ánh.", "VPUBND"),
    ("4", "Cải cách tổ chức bộ máy hành chính nhà nước", "7", "sum", "", "", "", ""),
    ("4.1", "Sắp xếp tổ chức bộ máy theo quy định", "3", "levels", yes_no("3"), X, EV + "Quyết định sắp xếp.", "SNV"),
    ("4.2", "Thực hiện biên chế được giao", "2", "levels", yes_no("2"), X, EV + "Báo cáo biên chế.", "SNV"),
    ("4.3", "Phân cấp quản lý", "2", "manual", "step=0.5", X, EV + "Văn bản phân cấp.", "SNV, STP"),
    ("5", "Cải cách chế độ công vụ", "9", "sum", "", "", "", ""),
    ("5.1", "Vị trí việc làm", "3", "levels", yes_no("3"), X, EV + "Quyết định phê duyệt vị trí việc làm.", "SNV"),
    ("5.2", "Tuyển dụng, sử dụng công chức", "3", "levels", yes_no("3"), X, EV + "Báo cáo tuyển dụng.", "SNV"),
    ("5.3", "Kỷ luật, kỷ cương hành chính", "3", "deduction", "per=1", X, EV + "Báo cáo xử lý kỷ luật.", "SNV"),
    ("6", "Cải cách tài chính công", "7", "sum", "", "", "", ""),
    ("6.1", "Giải ngân vốn đầu tư công", "3", "bands", ">=95:3; 80-<95:1.5; <80:0", X,
     EV + "Báo cáo giải ngân.", "STC"),
    ("6.2", "Thu ngân sách nhà nước trên địa bàn", "2", "bands", ">=100:2; 90-<100:1; <90:0", X,
     EV + "Báo cáo thu ngân sách.", "CT, STC"),
    ("6.3", "Tự chủ tài chính của đơn vị sự nghiệp công lập", "2", "ratio", "", X, EV + "Báo cáo tự chủ.",
     "STC, CTK"),
    ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", "12", "sum", "", "", "", ""),
    ("7.1", "Hồ sơ công việc xử lý trên môi trường mạng", "4", "ratio", "", X, EV + "Số liệu hệ thống.", "VPUBND"),
    ("7.2", "Dịch vụ công trực tuyến toàn trình có phát sinh hồ sơ", "4", "bands", ">=80:4; 50-<80:2; <50:0", X,
     EV + "Số liệu Cổng dịch vụ công.", "VPUBND"),
    ("7.3", "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)", "4", "imported", "", "",
     "Số liệu của Cổng dịch vụ công quốc gia.", "VPUBND"),
    ("8", "Tác động của CCHC đến người dân, tổ chức và kinh tế – xã hội", "38", "sum", "", "", "", ""),
    ("8.1", "Thu hút đầu tư, phát triển doanh nghiệp", "3", "manual", "step=0.5", X,
     EV + "Báo cáo tình hình kinh tế – xã hội.", "CTK, STC"),
    ("8.2", "Tăng trưởng kinh tế (GRDP)", "3", "manual", "step=0.5", X, EV + "Số liệu thống kê GRDP.", "CTK"),
    ("8.3", "Đánh giá của đại biểu HĐND, lãnh đạo các cấp", "16", "survey", "", "", SURVEY, "SNV"),
    ("8.4", "Mức độ hài lòng của người dân, tổ chức (SIPAS)", "16", "survey", "", "", SURVEY, "SNV"),
]


def province_rows() -> list[CriterionRow]:
    rows = []
    for code, title, max_points, rule, params, evidence, guidance, responsible in PROVINCE_ROWS:
        codes = [c.strip() for c in responsible.split(",") if c.strip()]
        rows.append(CriterionRow(
            row=0, code=code, title=title, max_points=Decimal(max_points), rule=rule,
            params=parse_params(rule, params), evidence_required=evidence == X, guidance=guidance,
            responsible_agency=codes[0] if codes else "", cooperating=codes[1:]))
    return rows


def province_workbook_bytes() -> bytes:
    """docs/samples/criteria_province.xlsx."""
    return write_workbook(province_rows(), {"bonus_cap": None, "penalty_cap": None})
