/// The Vietnamese text the generator draws from: names of people and
/// organizations, tasks, topics, reasons. All literals are in Unicode NFC
/// (checked by a test), as the contract requires of stored text.
enum DemoVocabulary {
    /// Family names with their approximate share of the population, per mille.
    static let familyNames: [(name: String, weight: Int)] = [
        ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Huỳnh", 50),
        ("Phan", 45), ("Vũ", 39), ("Võ", 39), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14),
        ("Hồ", 13), ("Ngô", 13), ("Dương", 10), ("Lý", 5),
    ]
    static let familyWeights = familyNames.map(\.weight)

    static let maleMiddleNames = [
        "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Quang", "Mạnh", "Trọng", "Xuân", "Hoàng",
        "Anh", "Bảo", "Gia", "Thành", "Đình", "Ngọc",
    ]
    static let femaleMiddleNames = [
        "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Phương", "Hồng", "Diệu", "Minh", "Bích", "Hoài",
    ]
    static let maleGivenNames = [
        "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hiếu", "Hùng", "Khoa", "Khải", "Lâm", "Long", "Minh",
        "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Thịnh", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
        "Hòa", "Kiên", "Toàn", "Hưng", "Thái",
    ]
    static let femaleGivenNames = [
        "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Linh", "Mai", "Nga",
        "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Loan",
        "Hằng", "Thư", "Liên",
    ]

    static let provinces = [
        "Quảng Nam", "Bình Định", "Nghệ An", "Thái Bình", "Đồng Nai", "Khánh Hòa", "Lâm Đồng", "Hà Tĩnh",
        "Thanh Hóa", "Phú Yên", "Bắc Ninh", "Tây Ninh",
    ]

    /// Committee names in the order committees are created; beyond the list, `committeeTemplates` with a number.
    static let committeeNames = [
        "Đảng bộ Sở Tài chính", "Đảng bộ Sở Kế hoạch và Đầu tư", "Đảng bộ Sở Giáo dục và Đào tạo",
        "Đảng bộ Sở Y tế", "Đảng bộ Sở Xây dựng", "Đảng bộ Sở Giao thông vận tải",
        "Đảng bộ Sở Nông nghiệp và Phát triển nông thôn", "Đảng bộ Sở Tư pháp", "Đảng bộ Sở Nội vụ",
        "Đảng bộ Sở Công Thương", "Đảng bộ Sở Tài nguyên và Môi trường",
        "Đảng bộ Sở Lao động - Thương binh và Xã hội", "Đảng bộ Sở Văn hóa, Thể thao và Du lịch",
        "Đảng bộ Sở Khoa học và Công nghệ", "Đảng bộ Sở Thông tin và Truyền thông", "Đảng bộ Thanh tra tỉnh",
        "Đảng bộ Văn phòng Ủy ban nhân dân tỉnh", "Đảng bộ Kho bạc Nhà nước tỉnh", "Đảng bộ Cục Thuế tỉnh",
        "Đảng bộ Bảo hiểm xã hội tỉnh", "Đảng bộ Cục Thống kê tỉnh", "Đảng bộ Ngân hàng Nhà nước chi nhánh tỉnh",
        "Đảng bộ Đài Phát thanh và Truyền hình tỉnh", "Đảng bộ Ban Quản lý các khu công nghiệp",
        "Đảng bộ Trường Chính trị tỉnh", "Đảng bộ Bệnh viện Đa khoa tỉnh", "Đảng bộ Cục Hải quan tỉnh",
        "Đảng bộ Liên đoàn Lao động tỉnh", "Đảng bộ Sở Ngoại vụ", "Đảng bộ Ban Dân tộc tỉnh",
    ]
    static let committeeTemplates = [
        "Đảng bộ Bệnh viện Đa khoa khu vực số", "Đảng bộ Trường Cao đẳng số",
        "Đảng bộ Trung tâm Kiểm soát bệnh tật khu vực số", "Đảng bộ Ban Quản lý dự án số",
    ]

    /// Cell names in the order a committee's cells are created; beyond the list, "Chi bộ Phòng Nghiệp vụ N".
    static let cellNames = [
        "Chi bộ Văn phòng", "Chi bộ Phòng Kế hoạch", "Chi bộ Phòng Tổ chức cán bộ", "Chi bộ Thanh tra",
        "Chi bộ Phòng Tài chính - Kế toán", "Chi bộ Phòng Pháp chế", "Chi bộ Phòng Tổng hợp",
        "Chi bộ Phòng Hành chính - Quản trị", "Chi bộ Phòng Thẩm định", "Chi bộ Trung tâm Dịch vụ công",
        "Chi bộ Ban Quản lý dự án", "Chi bộ Phòng Kiểm tra", "Chi bộ Phòng Hợp tác quốc tế",
        "Chi bộ Phòng Khoa học - Công nghệ", "Chi bộ Trung tâm Thông tin", "Chi bộ Phòng Đầu tư",
        "Chi bộ Phòng Quản lý ngân sách", "Chi bộ Phòng Tin học và Thống kê", "Chi bộ Phòng Quản lý giá và Công sản",
        "Chi bộ Phòng Chính sách",
    ]

    static let wards = [
        "phường Bến Nghé", "phường Bến Thành", "phường Đa Kao", "phường Hòa Cường", "phường Thạch Thang",
        "phường Phú Hội", "phường Vĩnh Ninh", "phường Trần Hưng Đạo", "phường Lê Lợi", "phường Quang Trung",
        "phường Tân Định", "xã Hòa Phong", "xã Tân Lập", "xã Phước Vĩnh",
    ]

    static let tasks = [
        "Phụ trách công tác tuyên truyền, giáo dục chính trị tư tưởng của chi bộ",
        "Theo dõi, giúp đỡ quần chúng ưu tú phấn đấu vào Đảng",
        "Phụ trách công tác kiểm tra, giám sát của chi bộ",
        "Tham gia Ban Chấp hành Công đoàn cơ sở",
        "Phụ trách công tác đoàn thanh niên của cơ quan",
        "Theo dõi việc thực hiện nghị quyết của chi bộ về cải cách hành chính",
        "Phụ trách công tác chuyển đổi số của đơn vị",
        "Tham gia tổ giúp việc xây dựng văn kiện đại hội",
        "Liên hệ, sinh hoạt và giữ mối liên hệ với chi ủy nơi cư trú",
        "Phụ trách thu, nộp đảng phí và công tác tài chính đảng",
        "Theo dõi công tác phòng, chống tham nhũng, lãng phí",
        "Hướng dẫn đảng viên mới thực hiện nhiệm vụ đảng viên",
    ]

    static let regularFocus = [
        "đánh giá kết quả thực hiện nhiệm vụ chính trị", "kiểm điểm việc thực hiện nghị quyết tháng trước",
        "triển khai nhiệm vụ trọng tâm", "công tác phát triển đảng viên", "thu, nộp đảng phí",
    ]
    static let thematicTopics = [
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Nâng cao chất lượng sinh hoạt chi bộ",
        "Chuyển đổi số trong hoạt động của cơ quan",
        "Phòng, chống suy thoái tư tưởng chính trị, \"tự diễn biến\", \"tự chuyển hóa\"",
        "Thực hành tiết kiệm, chống lãng phí",
        "Cải cách thủ tục hành chính, nâng cao chỉ số hài lòng của người dân",
        "Trách nhiệm nêu gương của cán bộ, đảng viên",
        "Bảo vệ nền tảng tư tưởng của Đảng",
        "Công tác phát triển đảng viên trong đoàn viên thanh niên",
    ]
    static let resolutions = [
        "Hoàn thành đúng hạn các nhiệm vụ chuyên môn được giao",
        "Tăng cường kỷ luật, kỷ cương hành chính",
        "Đẩy mạnh ứng dụng công nghệ thông tin trong xử lý công việc",
        "Phân công đảng viên theo dõi, giúp đỡ quần chúng ưu tú",
        "Thực hiện nghiêm quy định về những điều đảng viên không được làm",
        "Nâng cao chất lượng tham mưu, đề xuất",
        "Tổ chức học tập, quán triệt nghị quyết mới đến toàn thể đảng viên",
    ]
    static let absenceReasons = ["công tác", "công tác", "ốm", "việc gia đình", "nghỉ phép", "học tập"]

    static let inspectionFindings = [
        "Việc chấp hành nguyên tắc tập trung dân chủ còn hạn chế",
        "Chất lượng sinh hoạt chi bộ chưa cao, nội dung còn chung chung",
        "Việc thu, nộp đảng phí có lúc chưa kịp thời",
        "Lập hồ sơ đảng viên chưa đầy đủ",
        "Có dấu hiệu vi phạm trong việc quản lý tài chính, tài sản",
        "Có dấu hiệu vi phạm quy định về kê khai tài sản, thu nhập",
        "Thực hiện tốt quy chế làm việc",
    ]
    static let conclusionsClean = [
        "Tổ chức đảng và đảng viên được kiểm tra chấp hành tốt, không có vi phạm",
        "Đã thực hiện cơ bản đầy đủ các quy định; cần khắc phục một số hạn chế nhỏ",
    ]
    static let conclusionsViolation = [
        "Có vi phạm, đến mức phải xem xét, xử lý kỷ luật",
        "Có vi phạm nhưng chưa đến mức phải xử lý kỷ luật; yêu cầu kiểm điểm rút kinh nghiệm",
    ]
    static let disciplineReasons = [
        "Vi phạm quy định về quản lý tài chính, tài sản",
        "Vi phạm quy định về kê khai tài sản, thu nhập",
        "Vi phạm nguyên tắc tập trung dân chủ",
        "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
        "Vi phạm những điều đảng viên không được làm",
    ]
    static let organizationDisciplineReasons = [
        "Buông lỏng lãnh đạo, để xảy ra vi phạm trong quản lý tài chính",
        "Thiếu trách nhiệm trong lãnh đạo, chỉ đạo thực hiện nhiệm vụ",
    ]
    static let appealGrounds = [
        "Hình thức kỷ luật chưa tương xứng với mức độ vi phạm",
        "Chưa xem xét đầy đủ tình tiết giảm nhẹ",
        "Kết luận kiểm tra chưa đúng với thực tế",
    ]
    static let trainingCourses = [
        "Bồi dưỡng lý luận chính trị dành cho đảng viên mới",
        "Trung cấp lý luận chính trị - hành chính",
        "Bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát",
        "Bồi dưỡng nghiệp vụ công tác đảng cho cấp ủy viên",
        "Học tập, quán triệt Nghị quyết Đại hội Đảng",
        "Bồi dưỡng kiến thức quốc phòng và an ninh",
    ]
    static let newMemberCourse = "Bồi dưỡng lý luận chính trị dành cho đảng viên mới"
}
