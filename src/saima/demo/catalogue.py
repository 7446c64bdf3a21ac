"""The demo city's fixed cast: race groups, units and indicators, in Chinese and English.

Pure data, no Django. The city scale uses these lists as they are; the province scale keeps the
indicators (adding `EXTRA_INDICATORS` up to forty) and generates its units from `SYLLABLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Fixed-asset investment: January and February together, then back-loaded (H1 46.5%).
FAI_PROFILE = (8.5, 17.5, 26.0, 35.0, 46.5, 55.0, 64.0, 73.0, 81.5, 91.0, 100.0)
#: Retail sales: a Spring Festival January, a quiet February, a busy October to December.
RETAIL_PROFILE = (9.2, 17.0, 25.0, 32.8, 41.0, 49.4, 57.3, 65.3, 73.6, 82.3, 90.6, 100.0)
#: Fiscal revenue comes in early in the year (front-loaded).
REVENUE_PROFILE = (11.0, 19.0, 28.0, 36.5, 45.0, 54.0, 61.5, 69.0, 77.0, 85.0, 92.0, 100.0)

#: Monthly shape of a level around its annual value (1 = the year's mean).
PM25_SEASON = (1.2, 1.17, 1.1, 1.0, 0.9, 0.83, 0.8, 0.83, 0.9, 1.0, 1.1, 1.17)
JOBLESS_SEASON = (1.01, 1.04, 1.03, 1.01, 1.0, 0.99, 1.0, 0.99, 0.98, 0.98, 0.98, 0.99)
FLAT_SEASON = (1.02, 1.02, 1.01, 1.01, 1.0, 1.0, 1.0, 0.99, 0.99, 0.99, 0.98, 0.99)
TAX_SHARE_SEASON = (1.04, 1.03, 1.02, 1.01, 1.0, 1.0, 0.99, 0.99, 0.98, 0.98, 0.98, 0.98)


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str  # the kind of unit the group holds


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str
    group: str
    size: float  # economic weight against an average unit
    bias: float  # percentage points ahead (+) or behind (−) schedule, before noise


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator and how the generator invents its figures."""

    code: str
    name_zh: str
    name_en: str
    kind: str  # amount, growth, count, level
    measure_zh: str
    measure_en: str
    decimals: int
    direction: str = "higher"
    combined_jan_feb: bool = False
    profile: tuple[float, ...] | None = None
    #: amount/count: last year's total of an average unit; growth/level: the usual target.
    base: float = 100.0
    #: amount/count: planned growth over last year (a share, 0.08 = 8%).
    target_growth: float = 0.08
    #: multiplier of `base` by unit kind (amounts and counts), or of the target (levels).
    affinity: dict[str, float] = field(default_factory=dict)
    #: unit kinds the indicator does not apply to.
    not_applicable: frozenset[str] = frozenset()
    #: levels: monthly shape around the annual mean.
    season: tuple[float, ...] | None = None
    #: Chinese reasons a unit gives when the figure lags.
    reasons: tuple[str, ...] = ()


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("districts", "城区组", "Districts", "district"),
    GroupSpec("counties", "县市组", "Counties", "county"),
    GroupSpec("zones", "开发区组", "Development zones", "zone"),
)

CITY = ("qinghe", "青河市", "Qinghe City")
PROVINCE = ("qingchuan", "青川省", "Qingchuan Province")

#: The district whose reporter and approver are demo logins.
REPORTER_UNIT = "dongcheng"
#: The unit far behind on most indicators.
RED_UNIT = "baishi"
#: The unit that has not reported the latest month.
MISSING_UNIT = "beiyuan"

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("dongcheng", "东城区", "Dongcheng District", "district", "districts", 1.35, 3.0),
    UnitSpec("xicheng", "西城区", "Xicheng District", "district", "districts", 1.15, 0.5),
    UnitSpec("nanhu", "南湖区", "Nanhu District", "district", "districts", 0.95, 5.0),
    UnitSpec("beiyuan", "北苑区", "Beiyuan District", "district", "districts", 0.8, 0.0),
    UnitSpec("hexi", "河西区", "Hexi District", "district", "districts", 0.75, -2.5),
    UnitSpec("songyang", "松阳县", "Songyang County", "county", "counties", 0.9, 1.5),
    UnitSpec("linshui", "临水县", "Linshui County", "county", "counties", 0.7, -3.0),
    UnitSpec("baishi", "白石县", "Baishi County", "county", "counties", 0.55, -16.0),
    UnitSpec("yunxi", "云溪县", "Yunxi County", "county", "counties", 0.65, 2.5),
    UnitSpec("fengqiao", "枫桥市", "Fengqiao City", "county", "counties", 1.05, 6.0),
    UnitSpec("lushan", "鹿山县", "Lushan County", "county", "counties", 0.6, -4.0),
    UnitSpec(
        "hitech",
        "青河高新技术产业开发区",
        "Qinghe Hi-tech Industrial Development Zone",
        "zone",
        "zones",
        1.1,
        4.5,
    ),
    UnitSpec(
        "etdz",
        "青河经济技术开发区",
        "Qinghe Economic and Technological Development Zone",
        "zone",
        "zones",
        1.0,
        1.0,
    ),
    UnitSpec("lingang", "临港经济区", "Lingang Economic Zone", "zone", "zones", 0.7, -2.0),
    UnitSpec("bonded", "综合保税区", "Comprehensive Bonded Zone", "zone", "zones", 0.5, 0.0),
)

_YI = ("亿元", "100m yuan")
_PCT = ("%", "%")

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "gdp-growth",
        "地区生产总值增速",
        "GDP growth",
        "growth",
        *_PCT,
        1,
        base=6.0,
        not_applicable=frozenset({"zone"}),
        reasons=("工业和投资增长乏力，拖累经济增速", "重点企业产值下滑，经济增速回落"),
    ),
    IndicatorSpec(
        "fai",
        "固定资产投资",
        "Fixed-asset investment",
        "amount",
        *_YI,
        2,
        combined_jan_feb=True,
        profile=FAI_PROFILE,
        base=120.0,
        target_growth=0.08,
        affinity={"district": 1.0, "county": 0.9, "zone": 1.4},
        reasons=(
            "重大项目开工延迟",
            "土地要素保障不足，部分项目未能按期开工",
            "专项债券资金到位滞后，项目投资进度放缓",
        ),
    ),
    IndicatorSpec(
        "industry-va",
        "规上工业增加值增速",
        "Industrial value added growth (above designated size)",
        "growth",
        *_PCT,
        1,
        combined_jan_feb=True,
        base=7.0,
        reasons=("重点企业订单下滑，产能利用率不足", "受原材料价格上涨影响，部分企业减产"),
    ),
    IndicatorSpec(
        "retail",
        "社会消费品零售总额",
        "Retail sales of consumer goods",
        "amount",
        *_YI,
        2,
        profile=RETAIL_PROFILE,
        base=100.0,
        target_growth=0.065,
        affinity={"district": 1.8, "county": 0.8, "zone": 0.3},
        reasons=("大宗消费回落，汽车类零售额同比下降", "受极端天气影响，线下客流减少"),
    ),
    IndicatorSpec(
        "revenue",
        "一般公共预算收入",
        "General public budget revenue",
        "amount",
        *_YI,
        2,
        profile=REVENUE_PROFILE,
        base=16.0,
        target_growth=0.05,
        affinity={"district": 1.2, "county": 0.8, "zone": 1.1},
        reasons=("政策性减税降费，税收收入下降", "重点税源企业效益下滑"),
    ),
    IndicatorSpec(
        "investment-attracted",
        "招商引资到位资金",
        "Investment attracted (funds in place)",
        "amount",
        *_YI,
        2,
        base=60.0,
        target_growth=0.1,
        affinity={"district": 0.9, "county": 0.8, "zone": 1.6},
        reasons=("在谈项目签约延后，资金到位滞后", "部分签约项目资金到位率偏低"),
    ),
    IndicatorSpec(
        "trade",
        "外贸进出口总额",
        "Foreign trade (imports and exports)",
        "amount",
        *_YI,
        2,
        base=50.0,
        target_growth=0.06,
        affinity={"district": 0.8, "county": 0.6, "zone": 2.5},
        reasons=("海外订单减少，出口下滑", "重点外贸企业产能转移，进出口额下降"),
    ),
    IndicatorSpec(
        "projects-started",
        "新开工亿元以上项目",
        "Projects started (over 100m yuan)",
        "count",
        "个",
        "projects",
        0,
        base=24.0,
        target_growth=0.1,
        affinity={"district": 0.9, "county": 1.0, "zone": 1.3},
        reasons=("项目前期手续办理滞后", "重大项目开工延迟"),
    ),
    IndicatorSpec(
        "projects-signed",
        "新签约亿元以上项目",
        "Projects signed (over 100m yuan)",
        "count",
        "个",
        "projects",
        0,
        base=18.0,
        target_growth=0.12,
        affinity={"district": 0.9, "county": 0.9, "zone": 1.5},
        reasons=("重点在谈项目签约推迟",),
    ),
    IndicatorSpec(
        "income-growth",
        "城乡居民人均可支配收入增速",
        "Per-capita disposable income growth",
        "growth",
        *_PCT,
        1,
        base=6.0,
        reasons=("务工收入增长放缓",),
    ),
    IndicatorSpec(
        "pm25",
        "PM2.5平均浓度",
        "PM2.5 concentration",
        "level",
        "微克/立方米",
        "µg/m³",
        1,
        direction="lower",
        base=35.0,
        affinity={"district": 1.0, "county": 0.95, "zone": 1.05},
        season=PM25_SEASON,
        reasons=("不利气象条件影响，污染物扩散条件差", "建筑工地扬尘管控不到位"),
    ),
    IndicatorSpec(
        "unemployment",
        "城镇登记失业率",
        "Registered urban unemployment rate",
        "level",
        *_PCT,
        2,
        direction="lower",
        base=3.5,
        season=JOBLESS_SEASON,
        reasons=("部分企业用工需求减少",),
    ),
    IndicatorSpec(
        "energy-intensity",
        "单位地区生产总值能耗",
        "Energy use per unit of GDP",
        "level",
        "吨标准煤/万元",
        "tce per 10k yuan",
        3,
        direction="lower",
        base=0.45,
        affinity={"district": 0.8, "county": 1.1, "zone": 1.25},
        season=FLAT_SEASON,
        reasons=("高耗能项目集中投产，能耗强度上升",),
    ),
    IndicatorSpec(
        "tax-share",
        "税收收入占一般公共预算收入比重",
        "Tax share of general budget revenue",
        "level",
        *_PCT,
        1,
        base=75.0,
        affinity={"district": 1.05, "county": 0.95, "zone": 1.05},
        season=TAX_SHARE_SEASON,
        reasons=("非税收入占比上升，收入质量有待提高",),
    ),
)


def _amount(code, zh, en, base, growth=0.08, affinity=None, **extra) -> IndicatorSpec:
    return IndicatorSpec(
        code, zh, en, "amount", *_YI, 2, base=base, target_growth=growth,
        affinity=affinity or {}, **extra,
    )  # fmt: skip


def _growth(code, zh, en, base, **extra) -> IndicatorSpec:
    return IndicatorSpec(code, zh, en, "growth", *_PCT, 1, base=base, **extra)


def _count(code, zh, en, measure, base, growth=0.1, **extra) -> IndicatorSpec:
    return IndicatorSpec(
        code, zh, en, "count", measure[0], measure[1], 0, base=base, target_growth=growth, **extra
    )


def _level(code, zh, en, measure, decimals, base, direction, season, **extra) -> IndicatorSpec:
    return IndicatorSpec(
        code, zh, en, "level", measure[0], measure[1], decimals,
        direction=direction, base=base, season=season, **extra,
    )  # fmt: skip


_FIRMS = ("家", "firms")
_ZONES_OUT = frozenset({"zone"})

#: More indicators for the province scale (26, making forty with the city's fourteen).
EXTRA_INDICATORS: tuple[IndicatorSpec, ...] = (
    _amount("industrial-investment", "工业投资", "Industrial investment", 45.0, 0.1,
            {"zone": 1.8}, combined_jan_feb=True, profile=FAI_PROFILE),
    _amount("private-investment", "民间投资", "Private investment", 55.0, 0.05),
    _amount("infrastructure", "基础设施投资", "Infrastructure investment", 35.0, 0.09,
            combined_jan_feb=True, profile=FAI_PROFILE),
    _amount("real-estate", "房地产开发投资", "Real-estate development investment", 40.0, 0.02,
            {"district": 1.6, "zone": 0.6}),
    _amount("tax-revenue", "税收收入", "Tax revenue", 12.0, 0.05, profile=REVENUE_PROFILE),
    _amount("fdi", "实际使用外资", "Foreign capital actually used", 3.0, 0.08,
            {"zone": 2.5, "county": 0.6}),
    _amount("exports", "出口总额", "Exports", 30.0, 0.06, {"zone": 2.4}),
    _amount("industry-revenue", "规上工业营业收入", "Industrial revenue (above designated size)",
            260.0, 0.07, {"district": 0.7, "zone": 1.7}),
    _amount("hightech-va", "高新技术产业增加值", "High-tech industry value added", 40.0, 0.12,
            {"zone": 2.0}),
    _amount("wholesale", "限上批发零售业销售额", "Wholesale and retail sales (above quota)",
            150.0, 0.06, {"district": 1.7}),
    _amount("special-bonds", "专项债券资金支出", "Special bond spending", 8.0, 0.1),
    _amount("tourism", "旅游总收入", "Tourism revenue", 45.0, 0.12,
            {"county": 1.3, "zone": 0.3}),
    _growth("services-growth", "规上服务业营业收入增速", "Services revenue growth", 8.0),
    _growth("construction-growth", "建筑业总产值增速", "Construction output growth", 6.0),
    _growth("rural-income-growth", "农村居民人均可支配收入增速", "Rural per-capita income growth",
            7.0, not_applicable=frozenset({"district", "zone"})),
    _growth("digital-growth", "数字经济核心产业增加值增速", "Digital economy value added growth",
            10.0, combined_jan_feb=True),
    _count("new-industrial-firms", "新增规上工业企业", "New industrial firms above designated size",
           _FIRMS, 12.0, 0.15),
    _count("new-market-entities", "新增市场主体", "New market entities", ("户", "entities"),
           3200.0, 0.06, affinity={"district": 1.5, "zone": 0.5}),
    _count("new-jobs", "城镇新增就业", "New urban jobs", ("人", "people"), 4500.0, 0.04),
    _count("projects-completed", "竣工亿元以上项目", "Projects completed (over 100m yuan)",
           ("个", "projects"), 15.0, 0.1),
    _count("specialised-smes", "新增专精特新企业", "New specialised and innovative SMEs", _FIRMS,
           6.0, 0.2, affinity={"zone": 2.0}),
    _level("good-air-days", "空气质量优良天数比例", "Share of days with good air", _PCT, 1,
           85.0, "higher", tuple(2 - f for f in PM25_SEASON)),
    _level("water-quality", "国省控断面水质优良比例", "Monitored river sections of good quality",
           _PCT, 1, 90.0, "higher", FLAT_SEASON, not_applicable=_ZONES_OUT),
    _level("rd-intensity", "研发经费投入强度", "R&D spending intensity", _PCT, 2, 2.6, "higher",
           FLAT_SEASON, affinity={"zone": 1.6, "county": 0.7}),
    _level("co2-intensity", "单位地区生产总值二氧化碳排放", "CO2 emissions per unit of GDP",
           ("吨/万元", "t per 10k yuan"), 3, 0.95, "lower", FLAT_SEASON),
    _level("cpi", "居民消费价格涨幅", "Consumer price rise", _PCT, 1, 3.0, "lower",
           JOBLESS_SEASON),
)  # fmt: skip

#: Generic reasons by kind, for indicators without their own.
GENERIC_REASONS: dict[str, tuple[str, ...]] = {
    "amount": ("重点项目推进缓慢，进度滞后", "市场需求不足，增长乏力"),
    "count": ("项目储备不足，前期工作滞后",),
    "growth": ("重点企业生产经营困难，增速回落",),
    "level": ("受不利因素影响，指标未达控制目标",),
}
#: What a lagging unit commits to, appended to the reason.
COMMITMENTS = (
    "正加快调度，力争四季度追回进度。",
    "已制定赶超措施，全力推动年底前完成目标。",
    "已列入督办事项，逐项倒排工期。",
    "正协调市直部门解决要素保障问题。",
)

#: Syllables for the province's generated unit names: (Chinese, pinyin).
SYLLABLES = (
    ("青", "qing"), ("松", "song"), ("临", "lin"), ("白", "bai"), ("云", "yun"), ("枫", "feng"),
    ("鹿", "lu"), ("安", "an"), ("宁", "ning"), ("平", "ping"), ("永", "yong"), ("长", "chang"),
    ("兴", "xing"), ("华", "hua"), ("新", "xin"), ("丰", "feng"), ("金", "jin"), ("石", "shi"),
    ("桃", "tao"), ("梅", "mei"), ("柳", "liu"), ("泉", "quan"), ("阳", "yang"), ("源", "yuan"),
)  # fmt: skip
KIND_SUFFIX = {
    "district": ("区", "District"),
    "county": ("县", "County"),
    "zone": ("经济开发区", "Economic Development Zone"),
}
