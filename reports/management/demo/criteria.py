"""Demo criteria sets, and the content of docs/samples/criteria_*.xlsx (make_samples.py).

The department set follows ../shared/DOMAIN.md (Cà Mau 2013, Hà Nam 2023, illustrative
numbers): 8 fields worth 100 points (70 appraised + 30 survey), every rule kind, a bonus and
a penalty outside the 100. The commune set adapts it to commune People's Committees. The
2024 campaign (departments and districts) gets last year's versions; the current year's
sets are copied from them (the year-over-year map) and then updated from the sample rows.

`seed(campaigns=...)` is idempotent: a set that exists is left as it is.
"""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from campaigns.models import Agency, User
from scoring.criteria_excel import CriterionRow, write_workbook
from scoring.models import CriteriaSet, Criterion
from scoring.rules.text import parse_params
from scoring.services.criteria import criteria_set_lock
from scoring.services.criteria_copy import criteria_import, criteria_set_copy, criteria_set_map_by_code

X = "x"
SURVEY_GUIDE = ("Điểm = điểm tối đa × tỷ lệ đánh giá trung bình của người trả lời phiếu (A: 100%, B: 60%, "
                "C: 20%, D: 0%; E – không biết – không tính). Sở Nội vụ tổng hợp từ phiếu điều tra xã hội học.")
EVIDENCE = "Tài liệu kiểm chứng: "

# (code, title, max points, rule, rule_params, evidence required, guidance)
DEPARTMENT_ROWS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", "10", "sum", "", "", ""),
    ("1.1", "Kế hoạch cải cách hành chính năm", "5", "sum", "", "", ""),
    ("1.1.1", "Ban hành kế hoạch CCHC năm của cơ quan", "1", "levels",
     "Ban hành đúng thời hạn=1; Ban hành chậm=0.5; Không ban hành=0", X,
     "Đúng thời hạn: trước ngày 31/12 năm trước theo Kế hoạch CCHC của UBND tỉnh. "
     + EVIDENCE + "Kế hoạch CCHC năm của cơ quan."),
    ("1.1.2", "Kế hoạch xác định đầy đủ nhiệm vụ và bố trí kinh phí thực hiện", "1", "levels",
     "Đạt=1; Không đạt=0", X, EVIDENCE + "Kế hoạch CCHC, dự toán kinh phí được phê duyệt."),
    ("1.1.3", "Kế hoạch xác định rõ kết quả, sản phẩm và trách nhiệm của từng đơn vị", "1", "levels",
     "Đạt=1; Không đạt=0", X, EVIDENCE + "Kế hoạch CCHC năm."),
    ("1.1.4", "Mức độ hoàn thành kế hoạch CCHC năm", "2", "bands", ">90:2; 70-90:1; <70:0", X,
     "Tử số: số nhiệm vụ đã hoàn thành; mẫu số: tổng số nhiệm vụ trong kế hoạch. "
     "Trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm."),
    ("1.2", "Báo cáo cải cách hành chính", "2", "sum", "", "", ""),
    ("1.2.1", "Thực hiện đầy đủ, đúng thời hạn các báo cáo CCHC định kỳ (quý, 6 tháng, năm)", "1", "levels",
     "Đầy đủ, đúng hạn=1; Thiếu hoặc chậm=0", X, EVIDENCE + "Các báo cáo CCHC định kỳ đã gửi Sở Nội vụ."),
    ("1.2.2", "Nội dung báo cáo đầy đủ theo hướng dẫn của UBND tỉnh", "1", "levels", "Đạt=1; Không đạt=0", X,
     "Báo cáo đủ các mục, có số liệu theo đề cương hướng dẫn."),
    ("1.3", "Kiểm tra công tác CCHC đối với các đơn vị trực thuộc", "3", "bands",
     "=100:3; 80-<100:2; 50-<80:1; <50:0", X,
     "Tử số: số đơn vị trực thuộc đã kiểm tra; mẫu số: số đơn vị trong kế hoạch kiểm tra. "
     + EVIDENCE + "Kế hoạch, biên bản, báo cáo kết quả kiểm tra."),
    ("1.4", "Có sáng kiến, giải pháp mới trong CCHC được cấp có thẩm quyền công nhận", "2", "bonus",
     "step=0.5", X, "Điểm thưởng ngoài thang điểm 100: 1 điểm cho mỗi sáng kiến cấp tỉnh, 2 điểm cho sáng kiến "
     "cấp bộ trở lên; tối đa 2 điểm. " + EVIDENCE + "Quyết định công nhận sáng kiến."),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "6", "sum", "", "", ""),
    ("2.1", "Thực hiện chương trình xây dựng VBQPPL được giao trong năm", "2", "ratio", "", X,
     "Điểm = 2 × số văn bản đã trình đúng hạn / số văn bản được giao. Không được giao văn bản nào: "
     "đề nghị Sở Nội vụ xác định không áp dụng."),
    ("2.2", "Rà soát, hệ thống hóa VBQPPL thuộc lĩnh vực quản lý", "2", "manual", "step=0.5", X,
     "Đầy đủ, đúng hạn: 2 điểm; có thực hiện nhưng chậm hoặc chưa đầy đủ: 0,5 – 1,5 điểm; không thực hiện: 0."),
    ("2.3", "Tổ chức thực hiện và kiểm tra việc thực hiện VBQPPL", "2", "bands", "=100:2; 80-<100:1; <80:0", X,
     "Tử số: số nhiệm vụ kiểm tra đã hoàn thành; mẫu số: số nhiệm vụ trong kế hoạch."),
    ("3", "Cải cách thủ tục hành chính", "20", "sum", "", "", ""),
    ("3.1", "Công bố, công khai thủ tục hành chính đúng quy định", "4", "bands", "=100:4; 90-<100:2; <90:0", X,
     "Tử số: số TTHC được công bố, công khai đúng hạn trên Cổng Dịch vụ công; mẫu số: tổng số TTHC thuộc "
     "thẩm quyền."),
    ("3.2", "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn", "6", "deduction", "per=0.5", X,
     "100% hồ sơ đúng hạn: 6 điểm; mỗi 1% hồ sơ quá hạn trừ 0,5 điểm. Nhập số phần trăm hồ sơ quá hạn "
     "(làm tròn lên) theo Hệ thống thông tin giải quyết TTHC của tỉnh."),
    ("3.3", "Thực hiện xin lỗi bằng văn bản đối với hồ sơ giải quyết quá hạn", "2", "levels",
     "Đầy đủ hoặc không có hồ sơ quá hạn=2; Không đầy đủ=0", X, EVIDENCE + "Văn bản xin lỗi."),
    ("3.4", "Xử lý phản ánh, kiến nghị của cá nhân, tổ chức về TTHC đúng thời hạn", "2", "ratio", "over=refuse", X,
     "Tử số: số phản ánh, kiến nghị xử lý đúng hạn; mẫu số: số phản ánh, kiến nghị nhận được "
     "(tử số không lớn hơn mẫu số)."),
    ("3.5", "Chỉ số phục vụ người dân, doanh nghiệp trên Cổng Dịch vụ công (Quyết định 766/QĐ-TTg)", "6",
     "imported", "", "", "Điểm = 6 × chỉ số phục vụ (%) / 100, số liệu của Hệ thống đánh giá bộ chỉ số 766; "
     "Sở Nội vụ nhập, đơn vị không tự chấm."),
    ("3.6", "Để xảy ra sai phạm trong giải quyết TTHC bị cơ quan có thẩm quyền kết luận", "5", "penalty",
     "step=0.5", X, "Điểm trừ ngoài thang điểm 100: trừ 1 điểm cho mỗi kết luận sai phạm; tối đa 5 điểm."),
    ("4", "Cải cách tổ chức bộ máy hành chính", "6", "sum", "", "", ""),
    ("4.1", "Ban hành quy định chức năng, nhiệm vụ, cơ cấu tổ chức của cơ quan và các đơn vị trực thuộc", "2",
     "levels", "Đúng quy định=2; Chưa đúng quy định=0", X, EVIDENCE + "Quyết định quy định chức năng, nhiệm vụ."),
    ("4.2", "Thực hiện quy định về số lượng lãnh đạo và biên chế được giao", "2", "levels",
     "Đúng quy định=2; Vượt quy định=0", X, EVIDENCE + "Báo cáo biên chế, danh sách lãnh đạo."),
    ("4.3", "Thực hiện phân cấp, ủy quyền và kiểm tra việc thực hiện nhiệm vụ được phân cấp", "2", "bands",
     ">=90:2; 50-<90:1; <50:0", X, "Tử số: số nhiệm vụ phân cấp được kiểm tra; mẫu số: số nhiệm vụ đã phân cấp."),
    ("5", "Cải cách chế độ công vụ", "8", "sum", "", "", ""),
    ("5.1", "Cơ cấu ngạch công chức, chức danh nghề nghiệp theo vị trí việc làm được phê duyệt", "3", "levels",
     "Đạt=3; Không đạt=0", X, EVIDENCE + "Đề án vị trí việc làm được phê duyệt."),
    ("5.2", "Hoàn thành kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức", "3", "bands",
     "=100:3; 80-<100:2; 50-<80:1; <50:0", X, "Tử số: số lượt người được đào tạo; mẫu số: số lượt theo kế hoạch."),
    ("5.3", "Chấp hành kỷ luật, kỷ cương hành chính và văn hóa công vụ", "2", "deduction", "per=1", "",
     "Mỗi trường hợp cán bộ, công chức, viên chức bị xử lý kỷ luật hoặc bị phê bình trong năm trừ 1 điểm. "
     "Nhập số trường hợp."),
    ("6", "Cải cách tài chính công", "5", "sum", "", "", ""),
    ("6.1", "Ban hành và thực hiện quy chế chi tiêu nội bộ, quy chế quản lý tài sản công", "2", "levels",
     "Đạt=2; Không đạt=0", X, EVIDENCE + "Quy chế chi tiêu nội bộ, quy chế quản lý tài sản công."),
    ("6.2", "Tỷ lệ giải ngân kế hoạch vốn đầu tư công được giao", "3", "bands",
     ">=95:3; 80-<95:2; 60-<80:1; <60:0", X, "Tử số: số vốn đã giải ngân; mẫu số: kế hoạch vốn được giao."),
    ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", "15", "sum", "", "", ""),
    ("7.1", "Tỷ lệ văn bản được gửi, nhận dưới dạng điện tử có ký số", "4", "ratio", "", X,
     "Tử số: số văn bản điện tử có ký số; mẫu số: tổng số văn bản đi, đến trong năm."),
    ("7.2", "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận, giải quyết trực tuyến toàn trình", "4", "bands",
     ">=80:4; 50-<80:2; 30-<50:1; <30:0", X, "Số liệu từ Hệ thống thông tin giải quyết TTHC của tỉnh."),
    ("7.3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "7", "ratio", "target=80", X,
     "Tỷ lệ hồ sơ được số hóa kết quả giải quyết; đạt từ 80% trở lên: 7 điểm, dưới 80%: 7 × tỷ lệ / 80%."),
    ("8", "Tác động của cải cách hành chính (điều tra xã hội học)", "30", "sum", "", "", ""),
    ("8.1", "Đánh giá về công tác chỉ đạo, điều hành cải cách hành chính", "5", "survey", "", "", SURVEY_GUIDE),
    ("8.2", "Đánh giá về xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "5", "survey", "", "",
     SURVEY_GUIDE),
    ("8.3", "Đánh giá về cải cách thủ tục hành chính", "5", "survey", "", "", SURVEY_GUIDE),
    ("8.4", "Đánh giá về cải cách tổ chức bộ máy hành chính", "5", "survey", "", "", SURVEY_GUIDE),
    ("8.5", "Đánh giá về cải cách chế độ công vụ", "5", "survey", "", "", SURVEY_GUIDE),
    ("8.6", "Đánh giá về xây dựng chính quyền điện tử, chính quyền số", "5", "survey", "", "", SURVEY_GUIDE),
]

COMMUNE_ROWS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", "10", "sum", "", "", ""),
    ("1.1", "Kế hoạch cải cách hành chính năm", "4", "sum", "", "", ""),
    ("1.1.1", "Ban hành kế hoạch CCHC năm của UBND cấp xã", "1", "levels",
     "Ban hành đúng thời hạn=1; Ban hành chậm=0.5; Không ban hành=0", X, EVIDENCE + "Kế hoạch CCHC năm."),
    ("1.1.2", "Mức độ hoàn thành kế hoạch CCHC năm", "3", "bands", ">90:3; 70-90:2; 50-<70:1; <50:0", X,
     "Tử số: số nhiệm vụ đã hoàn thành; mẫu số: tổng số nhiệm vụ trong kế hoạch."),
    ("1.2", "Thực hiện chế độ báo cáo CCHC định kỳ", "2", "levels",
     "Đầy đủ, đúng hạn=2; Chậm hoặc thiếu=1; Không báo cáo=0", X, EVIDENCE + "Các báo cáo định kỳ."),
    ("1.3", "Tuyên truyền cải cách hành chính đến người dân", "2", "manual", "step=0.5", X,
     "Có kế hoạch và tổ chức tuyên truyền đa dạng (loa truyền thanh, trang thông tin, hội nghị): 2 điểm; "
     "có nhưng chưa thường xuyên: 0,5 – 1,5 điểm; không tổ chức: 0."),
    ("1.4", "Chủ tịch UBND cấp xã đối thoại với người dân về cải cách hành chính", "2", "levels",
     "Có tổ chức=2; Không tổ chức=0", X, EVIDENCE + "Thông báo, biên bản buổi đối thoại."),
    ("1.5", "Mô hình, cách làm mới trong CCHC được UBND tỉnh công nhận", "2", "bonus", "step=0.5", X,
     "Điểm thưởng ngoài thang điểm 100, tối đa 2 điểm."),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "6", "sum", "", "", ""),
    ("2.1", "Ban hành VBQPPL của HĐND, UBND cấp xã đúng thẩm quyền, trình tự", "2", "levels",
     "Đúng quy định hoặc không ban hành=2; Có văn bản trái quy định=0", X, ""),
    ("2.2", "Tự kiểm tra, rà soát VBQPPL do cấp xã ban hành", "2", "levels", "Đạt=2; Không đạt=0", X,
     EVIDENCE + "Báo cáo kết quả tự kiểm tra, rà soát."),
    ("2.3", "Phổ biến, giáo dục pháp luật cho người dân", "2", "bands", "=100:2; 80-<100:1; <80:0", X,
     "Tử số: số nội dung đã phổ biến; mẫu số: số nội dung trong kế hoạch."),
    ("3", "Cải cách thủ tục hành chính", "22", "sum", "", "", ""),
    ("3.1", "Công khai đầy đủ TTHC tại Bộ phận Một cửa và trên Cổng Dịch vụ công", "3", "levels",
     "Đầy đủ=3; Chưa đầy đủ=1; Không công khai=0", X, "Kiểm tra thực tế tại Bộ phận Một cửa."),
    ("3.2", "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn", "6", "deduction", "per=0.5", X,
     "100% hồ sơ đúng hạn: 6 điểm; mỗi 1% hồ sơ quá hạn trừ 0,5 điểm. Nhập số phần trăm hồ sơ quá hạn."),
    ("3.3", "Xin lỗi người dân khi giải quyết hồ sơ quá hạn", "2", "levels",
     "Đầy đủ hoặc không có hồ sơ quá hạn=2; Không đầy đủ=0", X,
     EVIDENCE + "Phiếu xin lỗi và hẹn lại ngày trả kết quả."),
    ("3.4", "Tiếp nhận, xử lý phản ánh, kiến nghị về TTHC đúng thời hạn", "2", "ratio", "over=refuse", X,
     "Tử số: số phản ánh, kiến nghị xử lý đúng hạn; mẫu số: số phản ánh, kiến nghị nhận được "
     "(tử số không lớn hơn mẫu số)."),
    ("3.5", "Bộ phận Một cửa bố trí đủ nhân lực, trang thiết bị theo quy định", "3", "levels",
     "Đạt=3; Đạt một phần=1.5; Không đạt=0", X, ""),
    ("3.6", "Chỉ số phục vụ người dân trên Cổng Dịch vụ công (Quyết định 766/QĐ-TTg)", "6", "imported", "", "",
     "Sở Nội vụ nhập số liệu từ Hệ thống đánh giá bộ chỉ số 766; điểm = 6 × chỉ số (%) / 100."),
    ("3.7", "Để xảy ra sai phạm trong giải quyết TTHC bị cơ quan có thẩm quyền kết luận", "5", "penalty",
     "step=0.5", X, "Điểm trừ ngoài thang điểm 100: trừ 1 điểm cho mỗi kết luận sai phạm; tối đa 5 điểm."),
    ("4", "Cải cách tổ chức bộ máy hành chính", "5", "sum", "", "", ""),
    ("4.1", "Bố trí cán bộ, công chức cấp xã đúng số lượng, chức danh theo quy định", "3", "levels",
     "Đúng quy định=3; Không đúng quy định=0", X, EVIDENCE + "Danh sách cán bộ, công chức cấp xã."),
    ("4.2", "Ban hành và thực hiện quy chế làm việc của UBND cấp xã", "2", "levels", "Đạt=2; Không đạt=0", X, ""),
    ("5", "Cải cách chế độ công vụ", "8", "sum", "", "", ""),
    ("5.1", "Tỷ lệ cán bộ, công chức cấp xã đạt chuẩn theo quy định", "3", "bands",
     "=100:3; 90-<100:2; 70-<90:1; <70:0", X, "Tử số: số người đạt chuẩn; mẫu số: tổng số cán bộ, công chức."),
    ("5.2", "Hoàn thành kế hoạch đào tạo, bồi dưỡng cán bộ, công chức cấp xã", "3", "ratio", "", X,
     "Tử số: số lượt được đào tạo; mẫu số: số lượt theo kế hoạch."),
    ("5.3", "Chấp hành kỷ luật, kỷ cương hành chính", "2", "deduction", "per=1", "",
     "Mỗi trường hợp bị xử lý kỷ luật hoặc bị phê bình trong năm trừ 1 điểm."),
    ("6", "Cải cách tài chính công", "5", "sum", "", "", ""),
    ("6.1", "Công khai ngân sách cấp xã theo quy định", "2", "levels",
     "Đầy đủ, đúng hạn=2; Chậm hoặc chưa đầy đủ=1; Không công khai=0", X, ""),
    ("6.2", "Tỷ lệ thực hiện dự toán thu ngân sách được giao", "3", "bands", ">=100:3; 90-<100:2; 80-<90:1; <80:0",
     X, "Tử số: số thu thực hiện; mẫu số: dự toán được giao."),
    ("7", "Xây dựng chính quyền điện tử, chính quyền số", "14", "sum", "", "", ""),
    ("7.1", "Tỷ lệ văn bản được gửi, nhận dưới dạng điện tử có ký số", "4", "ratio", "", X, ""),
    ("7.2", "Tỷ lệ hồ sơ thủ tục hành chính trực tuyến toàn trình", "5", "bands", ">=50:5; 30-<50:3; 10-<30:1; <10:0",
     X, "Số liệu từ Hệ thống thông tin giải quyết TTHC của tỉnh."),
    ("7.3", "Tỷ lệ hồ sơ được số hóa kết quả giải quyết", "5", "ratio", "target=90", X,
     "Đạt từ 90% trở lên: 5 điểm."),
    ("8", "Sự hài lòng của người dân, tổ chức (điều tra xã hội học)", "30", "sum", "", "", ""),
    ("8.1", "Tiếp cận dịch vụ hành chính công", "6", "survey", "", "", SURVEY_GUIDE),
    ("8.2", "Thủ tục hành chính được công khai, đơn giản, dễ thực hiện", "6", "survey", "", "", SURVEY_GUIDE),
    ("8.3", "Công chức trực tiếp giải quyết công việc", "6", "survey", "", "", SURVEY_GUIDE),
    ("8.4", "Kết quả giải quyết thủ tục hành chính", "6", "survey", "", "", SURVEY_GUIDE),
    ("8.5", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", "6", "survey", "", "", SURVEY_GUIDE),
]

SAMPLE_SETTINGS = {"bonus_cap": Decimal("2"), "penalty_cap": Decimal("5")}

# Last year's versions: no bonus or penalty yet, a few items worded or scored differently.
_DEPARTMENT_2024_CHANGES = {
    "2.2": {"rule": "levels", "params": "Đạt=2; Không đạt=0", "guidance": ""},
    "7": {"title": "Hiện đại hóa hành chính"},
    "7.3": {"title": "Ứng dụng công nghệ thông tin, dịch vụ công trực tuyến mức độ 3, 4", "params": ""},
}


def _variant(rows, *, drop=(), changes=None, words=()):
    out = []
    for code, title, max_points, rule, params, evidence, guidance in rows:
        if code in drop:
            continue
        change = (changes or {}).get(code, {})
        title = change.get("title", title)
        for old, new in words:
            title = title.replace(old, new)
        out.append((code, title, max_points, change.get("rule", rule), change.get("params", params), evidence,
                    change.get("guidance", guidance)))
    return out


DEPARTMENT_2024_ROWS = _variant(DEPARTMENT_ROWS, drop={"1.4", "3.6"}, changes=_DEPARTMENT_2024_CHANGES)
DISTRICT_2024_ROWS = _variant(COMMUNE_ROWS, drop={"1.5", "3.7"},
                              words=(("UBND cấp xã", "UBND cấp huyện"), ("cấp xã", "cấp huyện")))
# Agencies a few items do not apply to in the demo (not in the sample files, whose agencies
# may not exist where they are imported).
DEMO_NOT_APPLICABLE = {"department": {"2.1": ["SNGV", "TTT"], "3.5": ["TTT"]}}


def criterion_rows(rows) -> list[CriterionRow]:
    return [
        CriterionRow(row=0, code=code, title=title, max_points=Decimal(max_points), rule=rule,
                     params=parse_params(rule, params), evidence_required=evidence == X, guidance=guidance)
        for code, title, max_points, rule, params, evidence, guidance in rows
    ]


def workbook_bytes(rows, settings=None) -> bytes:
    """The rows as a criteria workbook (what docs/samples/make_samples.py writes)."""
    return write_workbook(criterion_rows(rows), SAMPLE_SETTINGS if settings is None else settings)


def _import(campaign, group, rows, officer):
    report = criteria_import(campaign=campaign, group=group, file=BytesIO(workbook_bytes(rows)), user=officer)
    if not report.ok:
        raise RuntimeError("Demo criteria do not import: " + "; ".join(str(e) for e in report.errors))
    return report.criteria_set


def _not_applicable(criteria_set):
    wanted = DEMO_NOT_APPLICABLE.get(criteria_set.group.code, {})
    agencies = {a.code: a for a in Agency.objects.filter(code__in={c for v in wanted.values() for c in v})}
    for code, agency_codes in wanted.items():
        criterion = Criterion.objects.filter(criteria_set=criteria_set, code=code).first()
        if criterion is not None:
            criterion.not_applicable_to.set([agencies[c] for c in agency_codes if c in agencies])


def _lock(criteria_set, campaign):
    if campaign.status != campaign.Status.DRAFT:
        criteria_set_lock(criteria_set=criteria_set, now=campaign.opened_at or timezone.now())


@transaction.atomic
def seed(*, campaigns) -> dict:
    """Criteria sets of the 2024 campaign (departments, districts) and of the current one
    (departments, communes; copied from 2024, then updated). Returns them by name."""
    officer = User.objects.get(username="canbo.snv")
    old, current = campaigns["previous"], campaigns["current"]
    made = {}
    for key, campaign, group, rows in (("department_2024", old, "department", DEPARTMENT_2024_ROWS),
                                       ("district_2024", old, "district", DISTRICT_2024_ROWS)):
        criteria_set = CriteriaSet.objects.filter(campaign=campaign, group__code=group).first()
        if criteria_set is None:
            criteria_set = _import(campaign, group, rows, officer)
            _lock(criteria_set, campaign)
        made[key] = criteria_set
    for key, group, source, rows in (("department", "department", made["department_2024"], DEPARTMENT_ROWS),
                                     ("commune", "commune", made["district_2024"], COMMUNE_ROWS)):
        criteria_set = CriteriaSet.objects.filter(campaign=current, group__code=group).first()
        if criteria_set is None:
            criteria_set_copy(source=source, campaign=current, user=officer, group=group)
            criteria_set = _import(current, group, rows, officer)
            criteria_set_map_by_code(criteria_set=criteria_set, user=officer)
            _not_applicable(criteria_set)
            _lock(criteria_set, current)
        made[key] = criteria_set
    return made
