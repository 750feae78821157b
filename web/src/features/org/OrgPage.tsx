import {
  ApartmentOutlined,
  DeleteOutlined,
  DragOutlined,
  EditOutlined,
  HistoryOutlined,
  PlusOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Empty, Flex, Input, Popconfirm, Row, Skeleton, Space, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import dayjs from 'dayjs';
import { type Key, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { OrgUnit } from '@/api/types';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { CHILD_KINDS, kindLabel } from '@/i18n/labels';
import { MoveUnitModal } from './MoveUnitModal';
import { type OrgUnitFormMode, OrgUnitFormModal } from './OrgUnitFormModal';
import { useDeleteOrgUnit, useOrgUnits } from './hooks';
import { ancestorIds, type OrgNode, searchTree } from './orgTree';

const KIND_COLORS: Record<string, string> = { group: 'purple', subsidiary: 'blue', department: 'cyan', team: 'green' };

function UnitDetail({
  unit,
  byId,
  canAdmin,
  onCreate,
  onEdit,
  onMove,
  onDeleted,
}: {
  unit: OrgUnit;
  byId: ReadonlyMap<string, OrgUnit>;
  canAdmin: boolean;
  onCreate: () => void;
  onEdit: () => void;
  onMove: () => void;
  onDeleted: (parentId: string | null) => void;
}) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const remove = useDeleteOrgUnit();
  const { can } = useAccess();
  const parent = unit.parent_id ? byId.get(unit.parent_id) : undefined;
  const subsidiary = unit.subsidiary_id ? byId.get(unit.subsidiary_id) : undefined;
  const childCount = [...byId.values()].filter((u) => u.parent_id === unit.id).length;
  const canHaveChildren = (CHILD_KINDS[unit.kind] ?? []).length > 0;
  const fmt = (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm');
  const none = t('common.none');

  return (
    <Card
      data-testid="org-detail"
      title={
        <Space wrap>
          <span>{unit.name}</span>
          <Tag color={KIND_COLORS[unit.kind]}>{kindLabel(td, unit.kind)}</Tag>
          {unit.is_active ? null : <Tag>{t('org.inactive')}</Tag>}
        </Space>
      }
      extra={
        canAdmin ? (
          <Space wrap size={8}>
            {canHaveChildren ? (
              <Button type="primary" size="small" icon={<PlusOutlined />} onClick={onCreate} data-testid="org-create-child">
                {t('org.createChild')}
              </Button>
            ) : null}
            <Button size="small" icon={<EditOutlined />} onClick={onEdit} data-testid="org-edit">
              {t('common.edit')}
            </Button>
            {unit.parent_id ? (
              <Button size="small" icon={<DragOutlined />} onClick={onMove} data-testid="org-move">
                {t('org.move')}
              </Button>
            ) : null}
            {unit.parent_id && childCount === 0 ? (
              <Popconfirm
                title={t('org.deleteConfirm', { name: unit.name })}
                okText={t('common.delete')}
                okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')}
                onConfirm={() =>
                  remove.mutateAsync(unit.id).then(
                    () => {
                      message.success(t('common.deleted'));
                      onDeleted(unit.parent_id ?? null);
                    },
                    (error: unknown) => message.error(isApiError(error) ? error.message : String(error)),
                  )
                }
              >
                <Button size="small" danger icon={<DeleteOutlined />} loading={remove.isPending} aria-label={t('common.delete')} />
              </Popconfirm>
            ) : null}
          </Space>
        ) : null
      }
    >
      <Descriptions column={{ xs: 1, sm: 2, md: 2, lg: 2, xl: 2, xxl: 3 }} size="small" colon={false} styles={{ label: { color: 'rgba(0,0,0,0.5)' } }}>
        <Descriptions.Item label={t('org.code')}>
          <Typography.Text copyable style={{ fontFamily: 'monospace' }}>
            {unit.code}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('org.nameEn')}>{unit.name_en || none}</Descriptions.Item>
        <Descriptions.Item label={t('org.parent')}>{parent?.name ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('org.subsidiaryOf')}>{subsidiary?.name ?? none}</Descriptions.Item>
        {unit.kind === 'subsidiary' ? (
          <Descriptions.Item label={t('org.uscc')} span={2}>
            <span style={{ fontFamily: 'monospace' }}>{unit.uscc || none}</span>
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('org.currency')}>{unit.currency || none}</Descriptions.Item>
        <Descriptions.Item label={t('org.region')}>{unit.region || none}</Descriptions.Item>
        <Descriptions.Item label={t('org.timezone')}>{unit.timezone || none}</Descriptions.Item>
        <Descriptions.Item label={t('org.children')}>{childCount}</Descriptions.Item>
        <Descriptions.Item label={t('common.createdAt')}>{fmt(unit.created_at)}</Descriptions.Item>
        <Descriptions.Item label={t('common.updatedAt')}>
          {fmt(unit.updated_at)} · {t('common.version')} {unit.version}
        </Descriptions.Item>
      </Descriptions>
      <Space wrap style={{ marginTop: 12 }}>
        {can('user.read') ? (
          <Link to={`/admin/users?unit_id=${unit.id}`}>
            <Button size="small" icon={<TeamOutlined />}>
              {t('org.viewUsers')}
            </Button>
          </Link>
        ) : null}
        {can('audit.read') ? (
          <Link to={`/admin/audit?entity_type=org_unit&entity_id=${unit.id}`}>
            <Button size="small" icon={<HistoryOutlined />}>
              {t('org.viewAudit')}
            </Button>
          </Link>
        ) : null}
      </Space>
    </Card>
  );
}

export default function OrgPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const orgQuery = useOrgUnits();
  const { units, byId, tree } = orgQuery;
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<Key[]>([]);
  const [formTarget, setFormTarget] = useState<OrgUnitFormMode | null>(null);
  const [moving, setMoving] = useState<OrgUnit | null>(null);

  const selectedId = params.get('unit') ?? tree[0]?.unit.id ?? null;
  const detailRef = useRef<HTMLDivElement>(null);
  const pickedByHand = useRef(false);

  // On a phone the detail sits under the tree: bring it into view when a unit is tapped.
  useEffect(() => {
    if (!pickedByHand.current) return;
    pickedByHand.current = false;
    if (window.matchMedia('(max-width: 991px)').matches) detailRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [selectedId]);
  const selected = selectedId ? byId.get(selectedId) : undefined;
  const select = (id: string) =>
    setParams(
      (p) => {
        p.set('unit', id);
        return p;
      },
      { replace: true },
    );

  // Open the first two levels, and the path to the selected unit, once the tree arrives.
  useEffect(() => {
    if (!units.length) return;
    setExpanded((prev) => {
      if (prev.length) return prev;
      const open = new Set<Key>(units.filter((u) => u.depth <= 1).map((u) => u.id));
      if (selectedId) for (const a of ancestorIds(byId, selectedId)) open.add(a);
      return [...open];
    });
  }, [units, byId, selectedId]);

  const filter = useMemo(() => searchTree(units, search), [units, search]);

  const treeData = useMemo<DataNode[]>(() => {
    const map = (n: OrgNode<OrgUnit>): DataNode | null => {
      if (filter && !filter.visible.has(n.unit.id)) return null;
      return {
        key: n.unit.id,
        title: (
          <span className="org-tree-title" data-testid={`org-node-${n.unit.code}`}>
            <span>{n.unit.name}</span>
            <Tag color={KIND_COLORS[n.unit.kind]} style={{ marginInlineEnd: 0 }} bordered={false}>
              {kindLabel(td, n.unit.kind)}
            </Tag>
            <span className="org-tree-code">{n.unit.code}</span>
          </span>
        ),
        children: n.children.map(map).filter((c): c is DataNode => c !== null),
      };
    };
    return tree.map(map).filter((c): c is DataNode => c !== null);
  }, [tree, filter, td]);

  const expandedKeys = filter ? [...new Set([...expanded, ...filter.expand])] : expanded;
  const canAdmin = can('org.admin');

  return (
    <PageContainer
      title={t('org.title')}
      subtitle={t('org.subtitle')}
      extra={units.length ? <Tag icon={<ApartmentOutlined />}>{t('org.count', { count: units.length })}</Tag> : null}
    >
      {orgQuery.isError ? (
        <QueryError error={orgQuery.error} onRetry={() => void orgQuery.refetch()} />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={10} xxl={8}>
            <Card
              className="org-tree-card"
              size="small"
              title={
                <Input.Search
                  allowClear
                  placeholder={t('org.searchPlaceholder')}
                  onChange={(e) => setSearch(e.target.value)}
                  onSearch={setSearch}
                  style={{ margin: '8px 0' }}
                  data-testid="org-search"
                />
              }
            >
              {orgQuery.isPending ? (
                <Skeleton active paragraph={{ rows: 8 }} />
              ) : treeData.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={search ? t('common.noMatch') : t('org.empty')} />
              ) : (
                <Tree
                  data-testid="org-tree"
                  blockNode
                  showLine={{ showLeafIcon: false }}
                  treeData={treeData}
                  expandedKeys={expandedKeys}
                  onExpand={(keys) => setExpanded(keys)}
                  selectedKeys={selectedId ? [selectedId] : []}
                  onSelect={(keys) => {
                    const key = keys[0];
                    if (key === undefined) return;
                    pickedByHand.current = true;
                    select(String(key));
                  }}
                />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={14} xxl={16} ref={detailRef} style={{ scrollMarginTop: 64 }}>
            {orgQuery.isPending ? (
              <Card>
                <Skeleton active />
              </Card>
            ) : selected ? (
              <UnitDetail
                unit={selected}
                byId={byId}
                canAdmin={canAdmin}
                onCreate={() => setFormTarget({ mode: 'create', parent: selected })}
                onEdit={() => setFormTarget({ mode: 'edit', unit: selected })}
                onMove={() => setMoving(selected)}
                onDeleted={(parentId) => {
                  if (parentId) select(parentId);
                }}
              />
            ) : (
              <Card>
                <Flex justify="center" style={{ padding: 48 }}>
                  <Empty description={t('org.selectHint')} />
                </Flex>
              </Card>
            )}
          </Col>
        </Row>
      )}
      <OrgUnitFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={(unit) => {
          setFormTarget(null);
          select(unit.id);
          if (unit.parent_id) setExpanded((prev) => [...new Set([...prev, unit.parent_id as string])]);
        }}
        onReload={() => orgQuery.refetch()}
      />
      <MoveUnitModal
        unit={moving}
        onClose={() => setMoving(null)}
        onMoved={(unit) => {
          setMoving(null);
          select(unit.id);
          setExpanded((prev) => [...new Set([...prev, ...ancestorIds(byId, unit.parent_id ?? unit.id), unit.parent_id ?? ''])]);
        }}
        onReload={() => orgQuery.refetch()}
      />
    </PageContainer>
  );
}
