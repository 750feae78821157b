"""The demo catalogue of the 星海 group: software, subscriptions, smart-manufacturing equipment,
medical devices, services and maintenance; the group list price book in CNY with floor prices;
price lists in HKD (subsidiary ``HK``) and SGD (``SG``); and monthly FX rates to CNY.

``ensure_demo_catalogue`` is idempotent: it only adds what is missing (by product code, book
code, book and product, and rate key), and never overwrites what an admin has changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.fx import repository as fx_repository
from flotilla.fx.repository import RateKey
from flotilla.models.ltc import FxRate, PriceBook, PriceBookEntry, Product
from flotilla.product import repository

GOODS_VAT = Decimal("13")  # 货物销售（含软件产品）
SERVICE_VAT = Decimal("6")  # 现代服务、订阅、维保
INSTALLATION_VAT = Decimal("9")  # 安装服务（建筑服务）


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    name_en: str
    category: str
    unit: str
    tax_rate: Decimal
    list_price_cny: int
    floor_ratio: Decimal  # floor price = list price × ratio
    description: str


def _p(
    code: str,
    name: str,
    name_en: str,
    category: str,
    unit: str,
    tax_rate: Decimal,
    price: int,
    floor: str,
    description: str,
) -> DemoProduct:
    return DemoProduct(
        code, name, name_en, category, unit, tax_rate, price, Decimal(floor), description
    )


PRODUCTS: tuple[DemoProduct, ...] = (
    # Software licences (perpetual)
    _p("XH-CRM-STD", "星海CRM标准版软件许可", "Xinghai CRM Standard licence", "software", "套",
       GOODS_VAT, 180_000, "0.70", "50 用户以内，含一年升级"),
    _p("XH-CRM-ENT", "星海CRM企业版软件许可", "Xinghai CRM Enterprise licence", "software", "套",
       GOODS_VAT, 480_000, "0.70", "不限用户数，含多组织与审批引擎"),
    _p("XH-MES-LIC", "星海MES制造执行系统许可", "Xinghai MES licence", "software", "套",
       GOODS_VAT, 860_000, "0.72", "单工厂授权，含排产、质量、设备模块"),
    _p("XH-BI-LIC", "星海BI分析平台许可", "Xinghai BI analytics licence", "software", "套",
       GOODS_VAT, 220_000, "0.70", "含 20 个设计者账号"),
    _p("XH-ERP-CONN", "ERP集成适配器", "ERP integration adapter", "software", "套",
       GOODS_VAT, 60_000, "0.75", "SAP / 用友 / 金蝶标准接口"),
    # Subscriptions
    _p("XH-CRM-SAAS", "星海CRM云订阅（每用户每年）", "Xinghai CRM cloud, per user per year",
       "subscription", "用户/年", SERVICE_VAT, 1_800, "0.80", "按年预付"),
    _p("XH-IOT-SAAS", "工业物联网平台订阅", "Industrial IoT platform subscription",
       "subscription", "年", SERVICE_VAT, 120_000, "0.80", "含 500 个设备接入点"),
    _p("XH-MED-CLOUD", "医学影像云平台订阅", "Medical imaging cloud subscription",
       "subscription", "年", SERVICE_VAT, 150_000, "0.80", "含 10TB 影像存储"),
    # Smart manufacturing equipment
    _p("XH-AGV-500", "AGV自动导引车（500kg）", "AGV, 500 kg payload", "equipment", "台",
       GOODS_VAT, 168_000, "0.85", "激光 SLAM 导航"),
    _p("XH-ROB-6A", "六轴工业机器人", "Six-axis industrial robot", "equipment", "台",
       GOODS_VAT, 320_000, "0.85", "负载 20kg，臂展 1.7m"),
    _p("XH-VIS-QC", "机器视觉质检工作站", "Machine-vision inspection station", "equipment", "台",
       GOODS_VAT, 260_000, "0.83", "含深度学习缺陷检测模型"),
    _p("XH-EDGE-GW", "边缘控制网关", "Edge control gateway", "equipment", "台",
       GOODS_VAT, 18_000, "0.85", "支持 OPC UA / Modbus"),
    _p("XH-SNS-KIT", "产线传感器套件", "Production-line sensor kit", "equipment", "套",
       GOODS_VAT, 45_000, "0.85", "温度、振动、电流传感器各 10 个"),
    # Medical devices
    _p("XH-US-C8", "彩色多普勒超声诊断仪", "Colour Doppler ultrasound system", "medical", "台",
       GOODS_VAT, 980_000, "0.82", "二类医疗器械，含三把探头"),
    _p("XH-DR-600", "数字化X射线摄影系统", "Digital radiography system", "medical", "台",
       GOODS_VAT, 1_850_000, "0.82", "双立柱，动态平板"),
    _p("XH-MON-P12", "多参数病人监护仪", "Multi-parameter patient monitor", "medical", "台",
       GOODS_VAT, 68_000, "0.85", "12.1 英寸触摸屏"),
    _p("XH-INF-PUMP", "智能输液泵", "Smart infusion pump", "medical", "台",
       GOODS_VAT, 22_000, "0.85", "含药物库与防错注"),
    _p("XH-ECG-12", "十二导心电图机", "12-lead electrocardiograph", "medical", "台",
       GOODS_VAT, 36_000, "0.85", "自动分析，支持院内联网"),
    # Services (in person-days 人天 unless stated)
    _p("XH-SVC-IMPL", "实施服务", "Implementation services", "service", "人天",
       SERVICE_VAT, 2_800, "0.80", "顾问驻场实施"),
    _p("XH-SVC-CONS", "咨询顾问服务", "Consulting services", "service", "人天",
       SERVICE_VAT, 4_500, "0.80", "业务流程与数字化咨询"),
    _p("XH-SVC-DEV", "定制开发", "Custom development", "service", "人天",
       SERVICE_VAT, 3_200, "0.80", "按需求说明书开发"),
    _p("XH-SVC-TRAIN", "用户培训", "User training", "service", "人天",
       SERVICE_VAT, 2_200, "0.80", "每期不超过 30 人"),
    _p("XH-SVC-INST", "设备安装调试", "Equipment installation and commissioning", "service",
       "台", INSTALLATION_VAT, 8_000, "0.80", "含现场安装、联调与验收"),
    # Maintenance (per year)
    _p("XH-MNT-SW", "软件维保服务（年）", "Software maintenance, per year", "maintenance", "年",
       SERVICE_VAT, 36_000, "0.85", "升级、补丁与 5×8 技术支持"),
    _p("XH-MNT-EQ", "设备维保服务（年）", "Equipment maintenance, per year", "maintenance",
       "年", SERVICE_VAT, 48_000, "0.85", "季度巡检，48 小时到场"),
    _p("XH-MNT-MED", "医疗设备全保服务（年）", "Medical equipment full cover, per year",
       "maintenance", "年", SERVICE_VAT, 88_000, "0.85", "含球管以外全部配件，7×24 响应"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoBook:
    code: str
    name: str
    name_en: str
    currency: str
    subsidiary_code: str | None
    cny_per_unit: Decimal  # list prices are the CNY list converted at this rate, rounded
    rounding: int  # …to a multiple of this


BOOKS = (
    DemoBook("GROUP-CNY", "集团标准价目表", "Group list prices", "CNY", None, Decimal(1), 1),
    DemoBook("HK-HKD", "星海国际价目表（港币）", "Xinghai International price list (HKD)", "HKD",
             "HK", Decimal("0.92"), 100),
    DemoBook("SG-SGD", "星海新加坡价目表（新加坡元）", "Xinghai Singapore price list (SGD)", "SGD",
             "SG", Decimal("5.30"), 10),
)  # fmt: skip

# FX rates to CNY: a central value with a slow, deterministic drift by calendar month, so the
# demo shows movement and seeding twice (or a month later) gives the same rate for a month.
FX_BASES = {"USD": Decimal("7.1500"), "HKD": Decimal("0.91500"), "SGD": Decimal("5.3000")}
FX_PLACES = {"USD": 4, "HKD": 5, "SGD": 4}
FX_MONTHS = 26


def _round_to(amount: Decimal, step: int) -> Decimal:
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _months_back(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months, the current one included, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date((i // 12), (i % 12) + 1, 1) for i in range(index - count + 1, index + 1)]


def demo_rate(currency: str, month: date, rate_type: str) -> Decimal:
    """The demo rate of ``currency``→CNY for a month (a pure function of its arguments)."""
    m = month.year * 12 + month.month
    drift = 0.018 * math.sin(m / 5.0) + 0.006 * math.sin(m / 1.7 + len(currency))
    if rate_type == "period_end":
        drift += 0.003 * math.sin(m * 1.3)
    # Decimal from a rounded string: the drift is a demo pattern, the stored rate is exact.
    factor = Decimal(f"{1 + drift:.6f}")
    return (FX_BASES[currency] * factor).quantize(Decimal(1).scaleb(-FX_PLACES[currency]))


def _ensure_products(session: Session) -> tuple[dict[str, Product], int]:
    products: dict[str, Product] = {}
    created = 0
    for spec in PRODUCTS:
        product = repository.product_by_code(session, spec.code)
        if product is None:
            product = Product(
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                category=spec.category,
                unit=spec.unit,
                tax_rate=spec.tax_rate,
                description=spec.description,
                is_active=True,
            )
            session.add(product)
            created += 1
        products[spec.code] = product
    session.flush()
    return products, created


def _ensure_books(session: Session, products: dict[str, Product]) -> tuple[int, int]:
    subsidiaries = repository.subsidiaries_by_code(
        session, [b.subsidiary_code for b in BOOKS if b.subsidiary_code]
    )
    books_created = entries_created = 0
    for spec in BOOKS:
        book = repository.book_by_code(session, spec.code)
        if book is None:
            subsidiary = subsidiaries.get(spec.subsidiary_code) if spec.subsidiary_code else None
            if spec.subsidiary_code and subsidiary is None:
                continue  # that subsidiary is not in this installation
            if subsidiary is None and repository.active_group_book_exists(
                session, spec.currency, other_than=None
            ):
                continue  # the group already keeps its own list in this currency
            book = PriceBook(
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                currency=spec.currency,
                subsidiary_id=subsidiary.id if subsidiary else None,
                is_active=True,
            )
            session.add(book)
            session.flush()
            books_created += 1
        existing = repository.entries_of(session, book.id)
        for product_spec in PRODUCTS:
            product = products[product_spec.code]
            if product.id in existing:
                continue
            list_price = _round_to(
                Decimal(product_spec.list_price_cny) / spec.cny_per_unit, spec.rounding
            )
            floor_price = _round_to(list_price * product_spec.floor_ratio, spec.rounding)
            session.add(
                PriceBookEntry(
                    price_book_id=book.id,
                    product_id=product.id,
                    list_price=list_price,
                    floor_price=floor_price,
                )
            )
            entries_created += 1
    session.flush()
    return books_created, entries_created


def _ensure_rates(session: Session, today: date) -> int:
    wanted: dict[RateKey, Decimal] = {}
    for month in _months_back(today, FX_MONTHS):
        for currency in FX_BASES:
            for rate_type in ("average", "period_end"):
                wanted[(currency, "CNY", month, rate_type)] = demo_rate(currency, month, rate_type)
    stored = fx_repository.rates_by_key(session, wanted)
    created = 0
    for key, rate in wanted.items():
        if key in stored:
            continue
        source, target, period, rate_type = key
        session.add(
            FxRate(
                from_currency=source,
                to_currency=target,
                period=period,
                rate_type=rate_type,
                rate=rate,
            )
        )
        created += 1
    session.flush()
    return created


def ensure_demo_catalogue(session: Session) -> dict[str, int]:
    """Add the demo products, price books with their entries, and FX rates for the last
    ``FX_MONTHS`` months (the current one included) that are missing; return how many rows
    of each kind were created (all zero on a second run)."""
    products, products_created = _ensure_products(session)
    books_created, entries_created = _ensure_books(session, products)
    rates_created = _ensure_rates(session, clock.now().date())
    return {
        "products": products_created,
        "price_books": books_created,
        "price_book_entries": entries_created,
        "fx_rates": rates_created,
    }
